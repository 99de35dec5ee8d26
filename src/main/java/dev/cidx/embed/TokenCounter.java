package dev.cidx.embed;

import java.util.List;

/** Counts the model's tokens in each text, without the special tokens the model adds. */
@FunctionalInterface
public interface TokenCounter {
  int[] countTokens(List<String> texts);
}
