"""File helpers: image header sniffing and document types."""

from __future__ import annotations

DOC_TYPES: dict[str, int] = {
    **dict.fromkeys(("txt", "doc", "docx", "pdf", "rtf", "odt", "xls", "xlsx", "csv", "ods"), 1),
    **dict.fromkeys(("zip", "rar", "7z", "tar", "gz"), 2),
    "gif": 3,
    **dict.fromkeys(("jpg", "jpeg", "png", "bmp", "webp"), 4),
    **dict.fromkeys(("mp3", "ogg", "wav", "m4a"), 5),
    **dict.fromkeys(("mp4", "avi", "mkv", "mov", "webm"), 6),
    **dict.fromkeys(("epub", "fb2", "djvu", "mobi"), 7),
}


def doc_type(ext: str) -> int:
    return DOC_TYPES.get(ext.lower(), 8)


def split_name(filename: str) -> tuple[str, str]:
    name = filename.rsplit("/", 1)[-1] or "file"
    ext = name.rsplit(".", 1)[1].lower() if "." in name else ""
    return name, ext


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG or GIF by its header; None if it is none of these."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith((b"GIF87a", b"GIF89a")) and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data.startswith(b"\xff\xd8\xff"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height = int.from_bytes(data[i + 5 : i + 7], "big")
                width = int.from_bytes(data[i + 7 : i + 9], "big")
                return width, height
            i += 2 + length
        return 100, 100
    return None


__all__ = ["DOC_TYPES", "doc_type", "image_size", "split_name"]
