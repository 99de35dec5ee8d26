package dev.cidx.search;

import dev.cidx.protocol.QueryRequest;
import dev.cidx.protocol.QueryResult;

/**
 * Answers queries. The daemon implements it over its cached indexes, the standalone path by opening the
 * indexes for one query; the query command sees only this interface, so both paths run the same code.
 */
@FunctionalInterface
public interface QueryService {
  QueryResult query(QueryRequest request) throws SearchException;
}
