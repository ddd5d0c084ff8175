"""Files: uploads and result files, with tombstones for deleted ones."""

from __future__ import annotations

from sqlalchemy import exists, insert, select, update

from batchyard.records import TERMINAL, FileRecord
from batchyard.store import usage
from batchyard.store.base import StoreBase
from batchyard.store.errors import StorageQuotaReached
from batchyard.store.pages import fetch_page
from batchyard.store.rows import file_record, file_values
from batchyard.store.schema import batches, files


class FileStore(StoreBase):
    """The verbs on files; `Store` mixes them in."""

    def add_file(self, record: FileRecord, *, max_stored_bytes: int | None = None) -> None:
        """Insert a file; with `max_stored_bytes`, only if the project's files still fit
        (`StorageQuotaReached` otherwise), checked in the same transaction as the insert."""
        with self._tx() as conn:
            if max_stored_bytes is not None:
                usage.lock_project(conn, record.project)
                stored = usage.stored_bytes(conn, record.project)
                if stored + record.bytes > max_stored_bytes:
                    raise StorageQuotaReached(
                        record.project, stored, record.bytes, max_stored_bytes
                    )
            conn.execute(insert(files).values(**file_values(record)))

    def get_file(self, project: str, file_id: str) -> FileRecord | None:
        with self._tx() as conn:
            row = (
                conn.execute(
                    select(files).where(
                        files.c.id == file_id,
                        files.c.project == project,
                        files.c.deleted_at.is_(None),
                    )
                )
                .mappings()
                .first()
            )
        return file_record(row) if row else None

    def list_files(
        self,
        project: str,
        *,
        purpose: str | None = None,
        after: str | None = None,
        limit: int = 10_000,
        ascending: bool = False,
    ) -> tuple[list[FileRecord], bool]:
        """A page of live files and whether more follow. An unknown `after` gives an empty page."""
        query = select(files).where(files.c.project == project, files.c.deleted_at.is_(None))
        if purpose is not None:
            if "\x00" in purpose:
                return [], False  # no purpose holds a NUL (and PostgreSQL refuses one)
            query = query.where(files.c.purpose == purpose)
        with self._tx() as conn:
            rows, has_more = fetch_page(
                conn, query, files, project, after=after, limit=limit, ascending=ascending
            )
        return [file_record(r) for r in rows], has_more

    def delete_file(self, project: str, file_id: str, now: int) -> FileRecord | None:
        """Mark a file deleted; return it (for its blob key), or None if there is none."""
        with self._tx() as conn:
            row = (
                conn.execute(
                    update(files)
                    .where(
                        files.c.id == file_id,
                        files.c.project == project,
                        files.c.deleted_at.is_(None),
                    )
                    .values(deleted_at=now, filename="")  # a name can be personal data
                    .returning(*files.c)
                )
                .mappings()
                .first()
            )
        return file_record(row) if row else None

    def file_in_use(self, project: str, file_id: str) -> bool:
        """Whether a batch that has not finished reads this file."""
        with self._tx() as conn:
            return bool(
                conn.execute(
                    select(
                        exists().where(
                            batches.c.project == project,
                            batches.c.input_file_id == file_id,
                            batches.c.status.not_in([s.value for s in TERMINAL]),
                        )
                    )
                ).scalar()
            )
