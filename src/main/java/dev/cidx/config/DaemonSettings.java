package dev.cidx.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code daemon} block of config.json. Every field is optional in the file; a missing one takes its
 * default. Durations may be fractional so tests can use seconds.
 *
 * <p>The block is read by {@link #read(JsonParser)} alone, with jackson-core's streaming parser: the
 * {@code cidx query} fast path needs only this block and must not pay for databind (its start-up is most
 * of a thin client's run), and {@link CidxConfig} binds the block through the same method, so there is
 * one reader. Writing goes through the annotations.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonDeserialize(using = DaemonSettingsDeserializer.class)
public record DaemonSettings(
    @JsonProperty("enabled") Boolean enabled,
    @JsonProperty("ttl_minutes") Double ttlMinutes,
    @JsonProperty("auto_shutdown_on_idle") Boolean autoShutdownOnIdle,
    @JsonProperty("eviction_check_interval_seconds") Double evictionCheckIntervalSeconds,
    @JsonProperty("max_retries") Integer maxRetries,
    @JsonProperty("retry_delays_ms") List<Integer> retryDelaysMs,
    @JsonProperty("query_timeout_seconds") Double queryTimeoutSeconds,
    @JsonProperty("max_connections") Integer maxConnections) {

  /** How long a query may search before it is cancelled: far above any real query, far below a hang. */
  public static final double DEFAULT_QUERY_TIMEOUT_SECONDS = 30.0;
  /** Open connections a daemon serves at once: one per running cidx command, with room to spare. */
  public static final int DEFAULT_MAX_CONNECTIONS = 64;

  public static final DaemonSettings DEFAULTS =
      new DaemonSettings(true, 10.0, true, 60.0, 4, List.of(100, 500, 1000, 2000));

  /** Streaming only; created on first use of {@link #load}, so databind's own factory is not doubled. */
  private static final class Json {
    static final JsonFactory FACTORY = new JsonFactory();
  }

  public DaemonSettings {
    enabled = enabled == null ? Boolean.TRUE : enabled;
    ttlMinutes = ttlMinutes == null ? 10.0 : ttlMinutes;
    autoShutdownOnIdle = autoShutdownOnIdle == null ? Boolean.TRUE : autoShutdownOnIdle;
    evictionCheckIntervalSeconds = evictionCheckIntervalSeconds == null ? 60.0 : evictionCheckIntervalSeconds;
    maxRetries = maxRetries == null ? 4 : maxRetries;
    retryDelaysMs = retryDelaysMs == null ? List.of(100, 500, 1000, 2000) : List.copyOf(retryDelaysMs);
    queryTimeoutSeconds = queryTimeoutSeconds == null ? DEFAULT_QUERY_TIMEOUT_SECONDS : queryTimeoutSeconds;
    maxConnections = maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections;
    if (!(ttlMinutes > 0)) {
      throw new IllegalArgumentException("daemon.ttl_minutes (" + ttlMinutes + ") must be positive");
    }
    if (!(evictionCheckIntervalSeconds > 0)) {
      throw new IllegalArgumentException(
          "daemon.eviction_check_interval_seconds (" + evictionCheckIntervalSeconds + ") must be positive");
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("daemon.max_retries (" + maxRetries + ") must not be negative");
    }
    for (Integer delay : retryDelaysMs) {
      if (delay == null || delay < 0) {
        throw new IllegalArgumentException("daemon.retry_delays_ms (" + retryDelaysMs + ") must hold non-negative numbers");
      }
    }
    if (!(queryTimeoutSeconds > 0)) {
      throw new IllegalArgumentException("daemon.query_timeout_seconds (" + queryTimeoutSeconds + ") must be positive");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("daemon.max_connections (" + maxConnections + ") must be positive");
    }
  }

  /** The settings before the query budget and the connection cap, which take their defaults. */
  public DaemonSettings(Boolean enabled, Double ttlMinutes, Boolean autoShutdownOnIdle,
      Double evictionCheckIntervalSeconds, Integer maxRetries, List<Integer> retryDelaysMs) {
    this(enabled, ttlMinutes, autoShutdownOnIdle, evictionCheckIntervalSeconds, maxRetries, retryDelaysMs, null, null);
  }

  public Duration ttl() {
    return Duration.ofMillis(Math.round(ttlMinutes * 60_000));
  }

  public Duration evictionCheckInterval() {
    return Duration.ofMillis(Math.round(evictionCheckIntervalSeconds * 1000));
  }

  /** How long a query may search in the daemon before it is cancelled. */
  public Duration queryTimeout() {
    return Duration.ofMillis(Math.max(1, Math.round(queryTimeoutSeconds * 1000)));
  }

  /**
   * How long a client waits for the daemon's answer to a query: the daemon's budget and a margin for
   * loading the model and index on a cold start (13 s was seen on a loaded 2-core machine) and writing
   * the answer, so that the daemon's own, clearer timeout error comes first.
   */
  public Duration clientQueryTimeout() {
    return queryTimeout().plusSeconds(30);
  }

  public DaemonSettings withEnabled(boolean on) {
    return new DaemonSettings(on, ttlMinutes, autoShutdownOnIdle, evictionCheckIntervalSeconds, maxRetries, retryDelaysMs,
        queryTimeoutSeconds, maxConnections);
  }

  public DaemonSettings withTtlMinutes(double minutes) {
    return new DaemonSettings(enabled, minutes, autoShutdownOnIdle, evictionCheckIntervalSeconds, maxRetries, retryDelaysMs,
        queryTimeoutSeconds, maxConnections);
  }

  /**
   * The daemon settings of a config.json, read without the rest of the file (whose other fields are only
   * checked to be JSON). For the client's fast path; everything else loads the whole {@link CidxConfig}.
   */
  public static DaemonSettings load(Path configFile) throws ConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(configFile);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + configFile + ": " + e.getMessage(), e);
    }
    try (JsonParser p = Json.FACTORY.createParser(bytes)) {
      JsonToken token = p.nextToken();
      if (token == JsonToken.VALUE_NULL) {
        return DEFAULTS;
      }
      if (token != JsonToken.START_OBJECT) {
        throw new ConfigException(configFile + " is not valid JSON: expected an object, found "
            + (token == null ? "nothing" : p.getText()), null);
      }
      DaemonSettings settings = DEFAULTS;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("daemon")) {
          settings = read(p);
        } else {
          p.skipChildren();
        }
      }
      return settings;
    } catch (JsonProcessingException e) {
      throw new ConfigException(configFile + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(configFile + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + configFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the block the parser stands on (its {@code START_OBJECT}, or a null meaning all defaults) up to
   * its {@code END_OBJECT}. Unknown fields are skipped; a value of the wrong type or out of range is an
   * {@link IllegalArgumentException} naming the field.
   */
  public static DaemonSettings read(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return DEFAULTS;
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("daemon (" + p.getText() + ") must be an object");
    }
    Boolean enabled = null;
    Double ttlMinutes = null;
    Boolean autoShutdownOnIdle = null;
    Double evictionCheckIntervalSeconds = null;
    Integer maxRetries = null;
    List<Integer> retryDelaysMs = null;
    Double queryTimeoutSeconds = null;
    Integer maxConnections = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "enabled" -> enabled = bool(p, name);
        case "ttl_minutes" -> ttlMinutes = number(p, name);
        case "auto_shutdown_on_idle" -> autoShutdownOnIdle = bool(p, name);
        case "eviction_check_interval_seconds" -> evictionCheckIntervalSeconds = number(p, name);
        case "max_retries" -> maxRetries = integer(p, name);
        case "retry_delays_ms" -> retryDelaysMs = integers(p, name);
        case "query_timeout_seconds" -> queryTimeoutSeconds = number(p, name);
        case "max_connections" -> maxConnections = integer(p, name);
        default -> p.skipChildren(); // a newer cidx's field
      }
    }
    return new DaemonSettings(enabled, ttlMinutes, autoShutdownOnIdle, evictionCheckIntervalSeconds, maxRetries,
        retryDelaysMs, queryTimeoutSeconds, maxConnections);
  }

  private static Boolean bool(JsonParser p, String name) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IllegalArgumentException("daemon." + name + " (" + p.getText() + ") must be true or false");
    };
  }

  private static Double number(JsonParser p, String name) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (!p.currentToken().isNumeric()) {
      throw new IllegalArgumentException("daemon." + name + " (" + p.getText() + ") must be a number");
    }
    return p.getDoubleValue();
  }

  private static Integer integer(JsonParser p, String name) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      throw new IllegalArgumentException("daemon." + name + " (" + p.getText() + ") must be a whole number");
    }
    return p.getIntValue();
  }

  private static List<Integer> integers(JsonParser p, String name) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException("daemon." + name + " (" + p.getText() + ") must be an array of numbers");
    }
    List<Integer> values = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        throw new IllegalArgumentException("daemon." + name + " must hold non-negative whole numbers, not " + p.getText());
      }
      values.add(p.getIntValue());
    }
    return values;
  }
}
