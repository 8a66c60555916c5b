"""Round two: OLE compound files (Outlook .msg, Word 97 with an embedded workbook)."""

from __future__ import annotations

import struct

# ---------------------------------------------------------------------------------------------
# Compound (OLE) files: Outlook .msg and Word 97 with embedded objects
# ---------------------------------------------------------------------------------------------

def _cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file (MS-CFB version 3, 512-byte sectors) holding ``streams`` ('a/b/c' paths make
    storages). Streams under 4096 bytes go to the mini stream, as the specification wants."""
    sector = 512
    free, end_of_chain, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    # directory tree: each storage's children, as a list (red-black colour: all black, a simple chain)
    entries: list[dict[str, object]] = [{"name": "Root Entry", "type": 5, "children": [], "data": b""}]
    index: dict[str, int] = {"": 0}
    for path in sorted(streams):
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            key = "/".join(parts[:depth])
            if key in index:
                continue
            parent = index["/".join(parts[: depth - 1])]
            is_stream = depth == len(parts)
            entries.append({"name": parts[depth - 1], "type": 2 if is_stream else 1, "children": [],
                            "data": streams[path] if is_stream else b""})
            index[key] = len(entries) - 1
            entries[parent]["children"].append(len(entries) - 1)  # type: ignore[union-attr]

    mini = bytearray()
    minifat: list[int] = []
    big: list[tuple[int, bytes]] = []  # (entry, data) stored in regular sectors
    for number, entry in enumerate(entries):
        data = entry["data"]
        assert isinstance(data, bytes)
        if entry["type"] != 2:
            continue
        if len(data) < 4096:
            start = len(mini) // 64
            count = max(1, -(-len(data) // 64))
            mini += data.ljust(count * 64, b"\x00")
            minifat += [start + i + 1 for i in range(count - 1)] + [end_of_chain]
            entry["start"] = start if data else end_of_chain
        else:
            big.append((number, data))

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        count = max(1, -(-len(data) // sector))
        first = len(sectors)
        for i in range(count):
            sectors.append(data[i * sector:(i + 1) * sector].ljust(sector, b"\x00"))
            fat.append(first + i + 1 if i < count - 1 else end_of_chain)
        return first

    for number, data in big:
        entries[number]["start"] = place(data)
    entries[0]["start"] = place(bytes(mini)) if mini else end_of_chain
    entries[0]["data"] = bytes(mini)
    minifat_start = place(b"".join(struct.pack("<I", v) for v in minifat)) if minifat else end_of_chain
    minifat_count = -(-len(minifat) * 4 // sector) if minifat else 0

    def name_key(number: int) -> tuple[int, str]:
        name = str(entries[number]["name"])
        return len(name), name.upper()

    def encode(number: int) -> bytes:
        entry = entries[number]
        name = str(entry["name"]).encode("utf-16-le") + b"\x00\x00"
        children = sorted(entry["children"], key=name_key)  # type: ignore[arg-type]
        child = children[0] if children else free
        siblings = entry.get("siblings", (free, free))
        data = entry["data"]
        assert isinstance(data, bytes)
        return (name.ljust(64, b"\x00") + struct.pack("<HBB", len(name), int(entry["type"]), 1)  # type: ignore
                + struct.pack("<III", *siblings, child) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
                + struct.pack("<I", int(entry.get("start", end_of_chain))) + struct.pack("<Q", len(data)))  # type: ignore

    for entry in entries:  # children of each storage as a right-leaning chain, in CFB name order
        children = sorted(entry["children"], key=name_key)  # type: ignore[arg-type]
        for position, number in enumerate(children):
            right = children[position + 1] if position + 1 < len(children) else free
            entries[number]["siblings"] = (free, right)
        entry["children"] = children[:1]
    directory = b"".join(encode(n) for n in range(len(entries)))
    directory = directory.ljust(-(-len(directory) // sector) * sector, b"\x00")
    directory_start = place(directory)
    # FAT sectors last: each holds 128 entries; the FAT must also describe its own sectors
    fat_count = 1
    while len(fat) + fat_count > fat_count * 128:
        fat_count += 1
    fat_start = len(sectors)
    fat += [fat_sector] * fat_count
    fat += [free] * (fat_count * 128 - len(fat))
    table = b"".join(struct.pack("<I", v) for v in fat)
    for i in range(fat_count):
        sectors.append(table[i * sector:(i + 1) * sector])
    difat = [fat_start + i for i in range(fat_count)] + [free] * (109 - fat_count)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, fat_count, directory_start, 0, 4096, minifat_start,
                                          minifat_count, end_of_chain, 0)
              + b"".join(struct.pack("<I", v) for v in difat))
    return header + b"".join(sectors)


def _msg_property(tag: str, value: str) -> tuple[str, bytes]:
    return f"__substg1.0_{tag}", value.encode("utf-16-le")


def outlook_msg(subject: str, body: str) -> bytes:
    """An Outlook item saved to disk (File > Save As, or dragged out of Outlook) and attached: .msg."""
    streams = dict([
        _msg_property("001A001F", "IPM.Note"), _msg_property("0037001F", subject),
        _msg_property("1000001F", body), _msg_property("0C1A001F", "Văn thư Sở Nội vụ"),
        _msg_property("0E04001F", "Lãnh đạo Văn phòng"),
    ])
    props = b"\x00" * 32 + b"".join(struct.pack("<IIQ", (int(tag[:4], 16) << 16) | int(tag[4:], 16), 6, 0)
                                    for tag in ("0E070003",))
    streams["__properties_version1.0"] = props
    return _cfb(streams)


def word97_with_embedded_workbook() -> bytes | None:
    """A clean Word 97 document (prose.doc) carrying an embedded Excel 97 workbook with the stamp in
    its ObjectPool, as Insert > Object > Excel worksheet leaves it."""
    import olefile

    from tests.policies.hostile.common import FIXTURES

    doc, xls = FIXTURES / "prose.doc", FIXTURES / "marked.xls"
    if not doc.exists() or not xls.exists():
        return None
    streams: dict[str, bytes] = {}
    with olefile.OleFileIO(str(doc)) as ole:
        for entry in ole.listdir():
            streams["/".join(entry)] = ole.openstream(entry).read()
    with olefile.OleFileIO(str(xls)) as ole:
        for entry in ole.listdir():
            streams["ObjectPool/_1234567890/" + "/".join(entry)] = ole.openstream(entry).read()
    return _cfb(streams)
