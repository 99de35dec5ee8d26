package dev.cidx.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How hard the HNSW search looks: its {@code ef}, the size of the candidate list it explores. */
public enum Accuracy {
  FAST(50), BALANCED(100), HIGH(200);

  private final int ef;

  Accuracy(int ef) {
    this.ef = ef;
  }

  public int ef() {
    return ef;
  }

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Accuracy fromWire(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("accuracy (" + name + ") must be one of fast, balanced, high");
    }
  }
}
