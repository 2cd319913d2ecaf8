"""The edge of the generic importer: which of the user's files is which kind, read from disk.

:func:`read_files` assigns each file to a section of the mapping (its ``file`` pattern, else
the one section whose columns its header holds), checks that every required mapped column is
in the header (an :class:`~anxin.importers.csvread.ExportError` naming the file, the column and
the mapping key, before any row is read), and hands the tables to the pure
:func:`~anxin.importers.generic.build_export`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import Path

from anxin.importers.csvread import CsvTable, ExportError, parse_csv
from anxin.importers.dialects import header_key
from anxin.importers.generic import build_export
from anxin.importers.mapping import FIELDS, Mapping
from anxin.importers.olist_reader import Export


def _matches(name: str, pattern: str | None) -> bool:
    return pattern is not None and fnmatch.fnmatch(name.lower(), pattern.lower())


def section_for(mapping: Mapping, path: Path, header: Sequence[str]) -> str | None:
    """The kind of file ``path`` is: the section whose ``file`` pattern its name matches, else
    the one section without a pattern whose columns its header holds all of."""
    name = path.name.lower()
    by_pattern = [
        k for k, s in mapping.sections.items() if s.file and fnmatch.fnmatch(name, s.file.lower())
    ]
    if by_pattern:
        return by_pattern[0]

    have = {header_key(h) for h in header}

    def holds(columns: tuple[str, ...]) -> bool:
        return any(header_key(c) in have for c in columns)

    fits = [
        k
        for k, s in mapping.sections.items()
        if s.file is None and all(holds(cs) for cs in s.columns.values())
    ]
    return fits[0] if len(fits) == 1 else None


def read_files(mapping: Mapping, paths: Sequence[Path]) -> Export:
    """Read the user's files (a directory: the files in it a section's pattern names) as the
    mapping says and build their events. A file no section claims, two files for one section
    or a mapped column missing from a header is an :class:`ExportError`, before any row."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += [
                p
                for p in sorted(path.iterdir())
                if p.is_file() and any(_matches(p.name, s.file) for s in mapping.sections.values())
            ]
        elif path.is_file():
            files.append(path)
        else:
            raise ExportError(f"{path}: no such file or directory")
    tables: dict[str, CsvTable] = {}
    every = sorted({c for s in mapping.sections.values() for cs in s.columns.values() for c in cs})
    for path in files:
        table = parse_csv(path.name, path.read_bytes(), [], every)
        kind = section_for(mapping, path, table.header)
        if kind is None:
            raise ExportError(
                f"{path.name}: matches no section of {mapping.origin} (sections: "
                f"{', '.join(mapping.sections)}; give each a `file:` pattern)"
            )
        if kind in tables:
            raise ExportError(f"{path.name}: a second {kind} file ({tables[kind].name} was first)")
        for name, columns in mapping.sections[kind].columns.items():
            if FIELDS[kind][name].required and not any(table.has(c) for c in columns):
                raise ExportError(
                    f"{path.name}: missing column `{'` or `'.join(columns)}` named by "
                    f"`{kind}.columns.{name}` in {mapping.origin} (header has: "
                    f"{', '.join(h for h in table.header if h)})"
                )
        tables[kind] = table
    if "orders" in mapping.sections and "orders" not in tables:
        given = ", ".join(p.name for p in files) or "the files given"
        pattern = mapping.sections["orders"].file or "its orders columns"
        raise ExportError(f"no orders file among {given} ({mapping.origin} expects {pattern})")
    return build_export(mapping, tables)
