package dev.cidx.index;

/**
 * What the index keeps of a chunk for showing it as a hit: where it is, its text (the snippet is cut from
 * it) and the file's modification time when it was indexed (a file changed since is stale). Read with
 * {@link IndexSnapshot#chunk(int)}, so the fields it comes from stay the index's business.
 */
public record StoredChunk(String path, String language, int startLine, int endLine, String content, long indexedMtime) {}
