"""The copilot's retrieval as a LangChain retriever over one room, for a shop's own chains.

It returns what the pipeline would gather for the question (the product meant, its
catalog record, the shop's policies, the host's lines, and the asking viewer's own orders
when a viewer is named), as Documents whose metadata says where each came from.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from copilot.answer.composer import order_evidence, product_evidence
from copilot.errors import NotFound
from copilot.retrieval import gather
from copilot.runtime import Copilot
from copilot.schemas import Evidence
from copilot.understand import understand
from knowledge.repository import RoomRepository


class RoomRetriever(BaseRetriever):
    """Evidence for a question in `room_id`; orders only of `viewer_id`, never anyone else's."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    copilot: Copilot
    room_id: str
    viewer_id: str = ""  # empty: public facts only
    at: float | None = None  # the stream second asked at (None: the live end)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        with self.copilot.db.read_scope() as session:
            if RoomRepository(session).get(self.room_id) is None:
                raise NotFound(f"unknown room {self.room_id!r}")
            context = gather(
                session,
                indexes=self.copilot.indexes,
                room_id=self.room_id,
                # A viewer id no order can have: public facts only.
                viewer_id=self.viewer_id or "\x00",
                text=query,
                at=self.at,
                understanding=understand(query, self.copilot.classifier),
            )
        found: list[Evidence] = []
        if context.product is not None:
            found.append(product_evidence(context.product))
        found += [*context.promotions, *context.transcript, *context.policies]
        if self.viewer_id:
            found += [order_evidence(order) for order in context.orders]
        seen: set[tuple[str, str]] = set()
        documents = []
        for evidence in found:
            if (evidence.kind, evidence.id) in seen:
                continue
            seen.add((evidence.kind, evidence.id))
            documents.append(Document(page_content=evidence.text, metadata=_metadata(evidence)))
        return documents


def _metadata(evidence: Evidence) -> dict[str, Any]:
    metadata: dict[str, Any] = {"kind": evidence.kind, "id": evidence.id}
    if evidence.start is not None:
        metadata["start"] = evidence.start
    if evidence.relevance:
        metadata["relevance"] = round(evidence.relevance, 4)
    return metadata
