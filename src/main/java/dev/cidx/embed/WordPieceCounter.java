package dev.cidx.embed;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts a BERT WordPiece tokenizer's tokens in Java, without crossing into the native tokenizer, for
 * the texts where that count is provably the same: printable ASCII (and tabs) with none of the added
 * tokens ({@code [CLS]}, {@code [MASK]}, ...) in it. For those, the HuggingFace pipeline reduces to
 * lower-casing (when configured), splitting on spaces and tabs, isolating each ASCII punctuation mark,
 * and WordPiece's greedy longest match; nothing else in it (control-character removal, accent
 * stripping, CJK spacing, added-token matching) touches such text. Anything else, {@link #count}
 * declines, and the caller asks the native tokenizer.
 *
 * <p>The chunker counts every line of every file, and this was half of the full-text pass's time
 * through JNI (on java.base); in Java, with each distinct word counted once, it is a few seconds.
 *
 * <p>Thread-safe: the vocabulary is immutable and the word cache concurrent.
 */
final class WordPieceCounter {
  /** {@link #count} returns this for a text it cannot count exactly. */
  static final int DECLINED = -1;

  private static final int MAX_KNOWN_WORDS = 200_000;

  private final Set<String> vocab;
  private final String subwordPrefix;
  private final int maxCharsPerWord;
  private final boolean lowercase;
  private final List<String> addedTokens;
  /** Token counts of words seen before; dropped whole when full. */
  private final Map<String, Integer> knownWords = new ConcurrentHashMap<>();

  private WordPieceCounter(Set<String> vocab, String subwordPrefix, int maxCharsPerWord, boolean lowercase,
      List<String> addedTokens) {
    this.vocab = vocab;
    this.subwordPrefix = subwordPrefix;
    this.maxCharsPerWord = maxCharsPerWord;
    this.lowercase = lowercase;
    this.addedTokens = addedTokens;
  }

  /**
   * A counter for the tokenizer that {@code tokenizerJson} (a parsed tokenizer.json) describes, or empty
   * when it is not a plain BERT WordPiece pipeline this class reproduces.
   */
  static Optional<WordPieceCounter> of(JsonNode tokenizerJson) {
    JsonNode normalizer = tokenizerJson.path("normalizer");
    JsonNode model = tokenizerJson.path("model");
    boolean bert = "BertNormalizer".equals(normalizer.path("type").asText())
        && normalizer.path("clean_text").asBoolean(false)
        && "BertPreTokenizer".equals(tokenizerJson.path("pre_tokenizer").path("type").asText())
        && "WordPiece".equals(model.path("type").asText())
        && model.path("vocab").isObject()
        && model.path("unk_token").isTextual();
    if (!bert) {
      return Optional.empty();
    }
    Set<String> vocab = new HashSet<>();
    for (Iterator<String> names = model.path("vocab").fieldNames(); names.hasNext(); ) {
      vocab.add(names.next());
    }
    List<String> added = new ArrayList<>();
    for (JsonNode token : tokenizerJson.path("added_tokens")) {
      added.add(token.path("content").asText());
    }
    return Optional.of(new WordPieceCounter(Set.copyOf(vocab),
        model.path("continuing_subword_prefix").asText("##"),
        model.path("max_input_chars_per_word").asInt(100),
        normalizer.path("lowercase").asBoolean(true),
        List.copyOf(added)));
  }

  /** The number of tokens in {@code text} (no special tokens), or {@link #DECLINED}. */
  int count(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t') || c > 0x7e) {
        return DECLINED;
      }
    }
    for (String token : addedTokens) {
      if (text.contains(token)) {
        return DECLINED;
      }
    }
    int tokens = 0;
    int wordStart = -1;
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : ' ';
      boolean space = c == ' ' || c == '\t';
      boolean punctuation = !space && isAsciiPunctuation(c);
      if (space || punctuation) {
        if (wordStart >= 0) {
          tokens += wordTokens(text.substring(wordStart, i));
          wordStart = -1;
        }
        if (punctuation) {
          tokens += wordTokens(String.valueOf(c));
        }
      } else if (wordStart < 0) {
        wordStart = i;
      }
    }
    return tokens;
  }

  /** ASCII punctuation as BERT's pre-tokenizer (and Rust's {@code is_ascii_punctuation}) defines it. */
  private static boolean isAsciiPunctuation(char c) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
  }

  private int wordTokens(String word) {
    Integer known = knownWords.get(word);
    if (known != null) {
      return known;
    }
    int tokens = wordPiece(lowercase ? word.toLowerCase(Locale.ROOT) : word);
    if (knownWords.size() > MAX_KNOWN_WORDS) {
      knownWords.clear();
    }
    knownWords.put(word, tokens);
    return tokens;
  }

  /** WordPiece's greedy longest match from the left; a word it cannot cover whole is one unknown token. */
  private int wordPiece(String word) {
    if (word.length() > maxCharsPerWord) {
      return 1;
    }
    int tokens = 0;
    int start = 0;
    while (start < word.length()) {
      int end = word.length();
      while (end > start) {
        String piece = start == 0 ? word.substring(0, end) : subwordPrefix + word.substring(start, end);
        if (vocab.contains(piece)) {
          break;
        }
        end--;
      }
      if (end == start) {
        return 1;
      }
      tokens++;
      start = end;
    }
    return tokens;
  }
}
