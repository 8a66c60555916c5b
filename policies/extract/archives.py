"""ZIP archives (nested, bounded), and what cannot be opened: encrypted or foreign formats."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from policies.extract.office import DocumentError
from policies.types import Extraction

ExtractDocument = Callable[[str, bytes, str, int], Extraction]


def zip_members(data: bytes, where: str, depth: int, limits: object, extract: ExtractDocument) -> list[Extraction]:
    max_members = getattr(limits, "max_archive_members", 1000)
    max_total = getattr(limits, "max_total_bytes", 200 * 1024 * 1024)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DocumentError("the archive is damaged") from exc
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        if len(members) > max_members:
            raise DocumentError(f"the archive holds more than {max_members} files")
        if sum(i.file_size for i in members) > max_total:
            raise DocumentError(f"the archive unpacks to more than {max_total // 1024 // 1024} MB")
        if any(i.flag_bits & 0x1 for i in members):
            raise DocumentError("the archive is encrypted (password protected): its content cannot be checked")
        results = []
        for info in members:
            name = _member_name(info)
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
                raise DocumentError(f"{name} cannot be unpacked ({exc})") from exc
            results.append(extract(name, content, f"{where}/{name}", depth + 1))
        return results


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # names not flagged UTF-8 are usually cp437 bytes of UTF-8 or cp1258
        raw = name.encode("cp437", "replace")
        for encoding in ("utf-8", "cp1258"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return name
