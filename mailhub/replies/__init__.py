"""The replies stage, after the queue (like Postfix's local delivery or Mailman's runners): what
arrives for mailhub's own service addresses is first accepted and committed like any other mail,
then read here: iTIP REPLY and read receipts for organizer addresses (answers, activity), DSNs for
return paths (the delivery log). Reading and marking the recipient done are one transaction, so a
crash in between repeats nothing and loses nothing; the forward to the organizer's real mailbox is
an ordinary recipient of the same queued message."""
