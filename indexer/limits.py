"""Every bound on what comes in, in one place, each with its reason.

Ingest reads files a person names, and archives that may come from anywhere; a build and the web
app then hold and show what ingest let in. Each limit below is checked before the bytes are
read whole (a file's size from `fstat`, an archive member's from its header, then again while
reading, since a header can lie), and breaking one is a one-line refusal naming the file and the
limit. Figures measured on the e-Gov archive of 9,424 law texts (484 MB unpacked, 40 MB as
.tar.xz) and on the corpus's own sources.
"""

from __future__ import annotations

MB = 1024 * 1024

#: One text file or archive member. The largest e-Gov law text is 3.7 MB (施行令 of 3.6 million
#: characters); four times that leaves room for any real statute or policy text, while a 50 MB
#: member of zeros (11 KB as .tar.xz) is refused from its header before a byte is read.
MAX_TEXT_BYTES = 16 * MB

#: One PDF. Government PDFs carry images (a 200-page white paper is 20-60 MB); the text layer
#: extracted from it is then bound by MAX_TEXT_BYTES like any text.
MAX_PDF_BYTES = 256 * MB

#: All files of one archive or folder together, unpacked. The whole e-Gov archive is 484 MB; four
#: times that, so a new edition fits, and a stream that never ends (or a tar bomb of many
#: members each under MAX_TEXT_BYTES) stops here.
MAX_ARCHIVE_BYTES = 2048 * MB

#: Files in one archive or folder. e-Gov has 9,424; a tar of millions of empty members costs
#: 512 bytes each unpacked and almost nothing compressed, and would give a register of millions of lines.
MAX_ARCHIVE_FILES = 100_000

#: Bytes of file content read but not yet parsed by the ingest workers (the reader waits past it).
#: The reader decompresses faster than two workers parse, so without a bound the whole archive
#: piles up in the pool's queue (RSS 757 MB for thirty 2 MB members); with it a run holds at most
#: this much beside the files being parsed.
MAX_BYTES_IN_FLIGHT = 64 * MB

#: Reads are done in chunks of this size, so a member's real size is checked as it is read.
READ_CHUNK_BYTES = 1 * MB

#: A passage of a document without statute structure. Passages aim at 400 characters and are cut
#: between sentences; a single sentence longer than this (a 20 MB line without 。 gave one passage
#: of 7 million characters: an 84 MB record page) is cut at line ends, then after 、, then at this
#: length. The e5 encoder reads 512 tokens, about 700 characters of Japanese, so longer text is
#: not seen by the semantic side anyway; the longest passage of the corpus's own documents is 391.
MAX_PASSAGE_CHARS = 1000
