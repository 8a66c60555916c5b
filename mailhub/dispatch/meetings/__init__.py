"""Meeting invitations (iTIP/iMIP): building them, sending them, reading the answers."""
