"""Opening a CSV export: the path checked (missing, a directory, a link loop, unreadable: an
:class:`~crm_research.data.reader.contracts.InputFileError` naming it), compressed files read
(``.gz``; a ``.zip`` holding one CSV) or refused when their name hides it, and text DuckDB cannot
read (UTF-16/UTF-32 with a byte-order mark, CP949/EUC-KR and any other declared codec) transcoded
to UTF-8 in one streamed pass to a temporary file."""

from __future__ import annotations

import codecs
import csv
import errno
import gzip
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from crm_research.data.reader.contracts import InputFileError

CHUNK = 1 << 24

SNIFF = 1 << 20


def check_path(path: str | Path) -> Path:
    """The path as a readable regular file, else :class:`InputFileError` naming it."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputFileError(path, "file not found") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise InputFileError(
                path, "symbolic link loop (the link points back to itself)"
            ) from None
        raise InputFileError(path, f"cannot be read ({e.strerror})") from None
    except RuntimeError:  # pathlib on some versions: "Symlink loop"
        raise InputFileError(path, "symbolic link loop (the link points back to itself)") from None
    if path.is_dir():
        raise InputFileError(path, "is a directory, not a file")
    try:
        with path.open("rb") as f:
            f.read(1)
    except PermissionError:
        raise InputFileError(path, "cannot be read (permission denied)") from None
    except OSError as e:
        raise InputFileError(path, f"cannot be read ({e.strerror})") from None
    if st.st_size == 0:
        raise InputFileError(path, "file is empty (no header row)")
    return path


@dataclass
class Prepared:
    """A UTF-8 CSV DuckDB can read (the original or a temporary transcoded copy)."""

    original: Path
    path: Path
    encoding: str  # what the original was read as: utf-8, cp949, utf-16...
    codec: str  # codec used to explain undecodable lines
    temps: list[Path] = field(default_factory=list)

    def cleanup(self) -> None:
        for t in self.temps:
            t.unlink(missing_ok=True)


BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def temp_csv(suffix: str = ".csv") -> Path:
    fd, name = tempfile.mkstemp(prefix="crm-reader-", suffix=suffix)
    os.close(fd)
    return Path(name)


def prepare(path: str | Path, encoding: str = "auto") -> Prepared:
    """Check, decompress and (when DuckDB cannot read it) transcode a CSV file to UTF-8."""
    original = check_path(path)
    temps: list[Path] = []
    src = original
    with src.open("rb") as f:
        head = f.read(8)
    name = original.name.lower()
    try:
        if head[:2] == b"\x1f\x8b":
            if not name.endswith(".gz"):
                raise InputFileError(
                    original,
                    "the file is gzip-compressed: name it .csv.gz to have it read, or decompress it",
                )
            tmp = temp_csv()
            temps.append(tmp)
            try:
                with gzip.open(src, "rb") as g, tmp.open("wb") as out:
                    shutil.copyfileobj(g, out, CHUNK)
            except (OSError, EOFError, gzip.BadGzipFile) as e:
                raise InputFileError(original, f"the gzip file is damaged ({e})") from None
            src = tmp
        elif head[:4] == b"PK\x03\x04":
            if not name.endswith(".zip"):
                what = "a zip archive"
                try:
                    with zipfile.ZipFile(src) as z:
                        if any(n.startswith("xl/") for n in z.namelist()):
                            what = "an Excel workbook (.xlsx): save it as CSV (UTF-8)"
                except zipfile.BadZipFile:
                    pass
                raise InputFileError(
                    original,
                    f"the file is {what}"
                    + (
                        ""
                        if "Excel" in what
                        else ": name it .zip to have its CSV read, or extract it"
                    ),
                )
            try:
                with zipfile.ZipFile(src) as z:
                    members = [
                        i
                        for i in z.infolist()
                        if not i.is_dir() and not i.filename.startswith("__MACOSX")
                    ]
                    if len(members) != 1:
                        raise InputFileError(
                            original,
                            f"the zip archive holds {len(members)} files: expected exactly one CSV",
                        )
                    tmp = temp_csv()
                    temps.append(tmp)
                    with z.open(members[0]) as m, tmp.open("wb") as out:
                        shutil.copyfileobj(m, out, CHUNK)
            except zipfile.BadZipFile as e:
                raise InputFileError(original, f"the zip archive is damaged ({e})") from None
            src = tmp
        elif head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise InputFileError(
                original, "the file is an Excel 97-2003 workbook (.xls): save it as CSV (UTF-8)"
            )
        elif head[:4] == b"PAR1":
            raise InputFileError(original, "the file is Parquet: name it .parquet")
        if src.stat().st_size == 0:
            raise InputFileError(original, "file is empty (no header row)")
        return _transcode(original, src, encoding, temps)
    except BaseException:
        for t in temps:
            t.unlink(missing_ok=True)
        raise


def _codec(name: str, file) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputFileError(
            file, f"unknown encoding {name!r} (e.g. utf-8, cp949, euc-kr, utf-16)"
        ) from None


def _transcode(original: Path, src: Path, encoding: str, temps: list[Path]) -> Prepared:
    with src.open("rb") as f:
        sample = f.read(SNIFF)
    bom = next((enc for b, enc in BOMS if sample.startswith(b)), None)
    declared = None if encoding in ("auto", None) else _codec(encoding, original)
    if bom in ("utf-16", "utf-32"):
        codec = bom  # the byte-order mark decides, whatever was declared
    elif declared in (None, "utf-8", "utf_8", "utf-8-sig", "utf_8_sig", "ascii"):
        if declared is None and not _decodes(sample, "utf-8") and _decodes(sample, "cp949"):
            codec = "cp949"
        else:
            return Prepared(original, src, "utf-8", "utf-8", temps)
    elif declared.startswith("utf_16") or declared.startswith("utf_32"):
        codec = declared.replace("_", "-")
    else:
        codec = declared
    tmp = temp_csv()
    temps.append(tmp)
    errors = (
        "surrogateescape"
        if not codec.startswith("utf-16") and not codec.startswith("utf-32")
        else "replace"
    )
    if (codec.startswith("utf-16") or codec.startswith("utf-32")) and (
        bom not in ("utf-16", "utf-32") and codec in ("utf-16", "utf-32")
    ):
        raise InputFileError(
            original,
            f"declared {codec} but the file has no byte-order mark: declare {codec}-le or {codec}-be, or save it as UTF-8",
        )
    dec = codecs.getincrementaldecoder(codec)(errors=errors)
    with src.open("rb") as f, tmp.open("wb") as out:
        first = True
        while True:
            b = f.read(CHUNK)
            try:
                text = dec.decode(b, final=not b)
            except UnicodeError as e:
                raise InputFileError(original, f"cannot be read as {codec} ({e})") from None
            if first:
                text = text.lstrip("\ufeff")
                first = False
            out.write(text.encode("utf-8", errors="surrogateescape"))
            if not b:
                break
    return Prepared(original, tmp, codec.replace("_", "-"), codec, temps)


def _decodes(sample: bytes, codec: str) -> bool:
    cut = max(sample.rfind(b"\n"), 0) if len(sample) >= SNIFF else len(sample)
    try:
        sample[: cut or len(sample)].decode(codec)
        return True
    except UnicodeDecodeError:
        return False


def read_header(path: Path, delimiter: str) -> tuple[list[str], str]:
    """The header's names (BOM and surrounding spaces removed) and its text."""
    with path.open("rb") as f:
        raw = f.read(SNIFF)
    end = min([i for i in (raw.find(b"\n"), raw.find(b"\r")) if i >= 0], default=len(raw))
    text = raw[:end].decode("utf-8", errors="replace").lstrip("\ufeff")
    names = next(csv.reader([text], delimiter=delimiter), [])
    return [n.strip().lstrip("\ufeff") for n in names], text
