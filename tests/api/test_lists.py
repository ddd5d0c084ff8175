"""Cursor pagination as the SDK drives it: §11 L1-L4 for batches, F7 paging for files."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import AsyncOpenAI, OpenAI

from .support import assert_error, create_batch, upload


@pytest.fixture
def batch_ids(client: OpenAI) -> list[str]:
    """Three batches, newest first."""
    f = upload(client)
    return [create_batch(client, f.id).id for _ in range(3)][::-1]


def test_l1_list_shape_and_default_page(client: OpenAI, raw: httpx.Client) -> None:
    empty = raw.get("/v1/batches").json()
    assert empty == {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }
    f = upload(client)
    created = [create_batch(client, f.id).id for _ in range(21)]
    first = client.batches.list()
    assert len(first.data) == 20 and first.has_more is True
    page = raw.get("/v1/batches").json()
    assert (page["first_id"], page["last_id"]) == (created[-1], created[1])
    assert [b.id for b in client.batches.list(limit=100).data] == created[::-1]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten"])
def test_l1_limit_out_of_range_is_400(raw: httpx.Client, limit: str) -> None:
    code = "invalid_type" if limit == "ten" else None
    assert_error(raw.get("/v1/batches", params={"limit": limit}), 400, code=code, param="limit")


def test_l1_limit_errors_through_the_sdk(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as low:
        client.batches.list(limit=0)
    assert low.value.code == "integer_below_min_value"
    with pytest.raises(openai.BadRequestError) as high:
        client.batches.list(limit=101)
    assert high.value.code == "integer_above_max_value"


def test_l2_auto_pager_visits_each_batch_once(client: OpenAI, batch_ids: list[str]) -> None:
    pages = list(client.batches.list(limit=1).iter_pages())
    assert [p.data[0].id for p in pages] == batch_ids
    assert [p.has_more for p in pages] == [True, True, False]
    assert [b.id for b in client.batches.list(limit=1)] == batch_ids


async def test_l2_async_auto_pager(aclient: AsyncOpenAI, batch_ids: list[str]) -> None:
    assert [b.id async for b in aclient.batches.list(limit=1)] == batch_ids


def test_l3_after_returns_the_items_strictly_after(client: OpenAI, batch_ids: list[str]) -> None:
    assert [b.id for b in client.batches.list(after=batch_ids[0]).data] == batch_ids[1:]
    last = client.batches.list(after=batch_ids[-1])
    assert (last.data, last.has_more) == ([], False)
    unknown = client.batches.list(after="batch_doesnotexist")
    assert (unknown.data, unknown.has_more) == ([], False)


def test_l4_newest_first(client: OpenAI, batch_ids: list[str]) -> None:
    listed = client.batches.list().data
    assert [b.id for b in listed] == batch_ids
    assert [b.created_at for b in listed] == sorted((b.created_at for b in listed), reverse=True)


def test_files_auto_pager_both_orders(client: OpenAI) -> None:
    ids = [upload(client, name=f"{i}.jsonl").id for i in range(4)]
    assert [f.id for f in client.files.list(limit=1)] == ids[::-1]
    assert [f.id for f in client.files.list(limit=1, order="asc")] == ids
    assert [f.id for f in client.files.list(limit=2, order="asc", after=ids[0])] == ids[1:]


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"limit": "0"}, "integer_below_min_value", "limit"),
        ({"limit": "10001"}, "integer_above_max_value", "limit"),
        ({"order": "sideways"}, "invalid_value", "order"),
    ],
)
def test_files_list_bad_params(
    raw: httpx.Client, params: dict[str, str], code: str, param: str
) -> None:
    assert_error(raw.get("/v1/files", params=params), 400, code=code, param=param)
