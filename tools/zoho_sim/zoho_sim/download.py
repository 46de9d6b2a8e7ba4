"""Attachment downloads, streamed: the bytes are generated piece by piece as they are written,
so a fixture file of hundreds of MiB costs the simulator a few pieces of memory."""

import asyncio
import urllib.parse

from aiohttp import web

from .util import BLOCK, attachment_block

PIECE = 64 * 1024
MIN_PACED_PIECE = 1024


class AttachmentStream(web.StreamResponse):
    """The answer of the content endpoints. Handlers return it unprepared, so the middleware
    can still add headers and apply the malformed fault; the middleware then calls send()
    itself, while the request still holds its concurrency slot."""

    def __init__(self, att, knobs):
        quoted = urllib.parse.quote(att.name)
        super().__init__(headers={"Content-Disposition":
                                  "attachment; filename*=UTF-8''%s" % quoted})
        self.content_type = att.content_type
        self.att_id = att.id
        self.size = att.content_size
        self.rate = knobs["download_rate"]
        cut = knobs["download_cut_after"]
        # Bytes to send before aborting the connection; None = the whole body.
        self.cut = cut if 0 < cut < self.size else None
        # Without Content-Length aiohttp sends HTTP/1.1 bodies chunked.
        if not knobs["download_chunked"]:
            self.content_length = self.size
        self.note = ""

    def truncate(self):
        """The malformed fault: the full length announced (unless chunked), half sent."""
        half = self.size // 2
        self.cut = half if self.cut is None else min(self.cut, half)
        if self.size == 0 and self.content_length is not None:
            self.content_length = 1  # an empty file can only come up short this way

    async def send(self, request):
        await self.prepare(request)
        piece = PIECE
        if self.rate:
            # Small pieces at low rates, so the bytes trickle instead of arriving in bursts.
            piece = min(PIECE, max(MIN_PACED_PIECE, self.rate // 10))
        # The payload repeats every BLOCK bytes, so each piece is a slice of this pattern.
        pattern = attachment_block(self.att_id) * (piece // BLOCK + 2)
        end = self.size if self.cut is None else self.cut
        loop = asyncio.get_running_loop()
        started = loop.time()
        sent = 0
        try:
            while sent < end:
                count = min(piece, end - sent)
                if self.rate:
                    # A piece leaves once the rate allows its last byte: the body ends
                    # size/rate seconds after the headers.
                    wait = started + (sent + count) / self.rate - loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                skip = sent % BLOCK
                await self.write(pattern[skip:skip + count])
                sent += count
            if self.cut is None:
                await self.write_eof()
                return
            # close() still flushes what is buffered; the client then sees EOF mid-body.
            self.force_close()
            if request.transport is not None:
                request.transport.close()
            self.note = "cut after %d of %d bytes" % (sent, self.size)
        except ConnectionError:
            self.note = "client gone after %d of %d bytes" % (sent, self.size)
