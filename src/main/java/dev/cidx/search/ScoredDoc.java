package dev.cidx.search;

/** A Lucene document id within one searcher, with the score one search gave it. */
public record ScoredDoc(int doc, float score) {}
