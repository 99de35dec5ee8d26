package com.example.photos.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Validates the JWT bearer tokens issued by the login service (HS256 only).
 *
 * <p>Checks, in order: structure, algorithm, signature, issuer, audience, and the time claims
 * {@code exp} (expiry) and {@code nbf} (not before), allowing a small clock skew between servers.
 *
 * <p>During signing-key rotation two keys are live: tokens are verified against every key in
 * {@code keysById}, selected by the {@code kid} header. See docs/runbook.md, "Rotating the
 * signing key".
 */
public final class AuthTokenValidator {

  /** Tolerated difference between our clock and the issuer's. */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

  private final Map<String, byte[]> keysById;
  private final String issuer;
  private final String audience;
  private final Clock clock;

  public AuthTokenValidator(Map<String, byte[]> keysById, String issuer, String audience, Clock clock) {
    if (keysById.isEmpty()) {
      throw new IllegalArgumentException("at least one signing key is required");
    }
    this.keysById = Map.copyOf(keysById);
    this.issuer = issuer;
    this.audience = audience;
    this.clock = clock;
  }

  /** The authenticated caller extracted from a valid token. */
  public record Principal(long userId, String scope, Instant expiresAt) {}

  /** Why a token was rejected; mapped to 401 with a WWW-Authenticate error description. */
  public static final class InvalidTokenException extends Exception {
    public InvalidTokenException(String message) {
      super(message);
    }
  }

  /** Validates {@code token} (without the "Bearer " prefix) and returns its principal. */
  public Principal validate(String token) throws InvalidTokenException {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new InvalidTokenException("token must have three dot-separated parts");
    }
    JsonNode header = decodeJson(parts[0]);
    JsonNode claims = decodeJson(parts[1]);

    if (!"HS256".equals(header.path("alg").asText())) {
      // Never trust the token to choose its algorithm ("alg": "none" attacks).
      throw new InvalidTokenException("unsupported alg " + header.path("alg").asText());
    }
    byte[] key = keysById.get(header.path("kid").asText());
    if (key == null) {
      throw new InvalidTokenException("unknown signing key id");
    }
    verifySignature(parts[0] + "." + parts[1], parts[2], key);

    if (!issuer.equals(claims.path("iss").asText())) {
      throw new InvalidTokenException("wrong issuer");
    }
    if (!audience.equals(claims.path("aud").asText())) {
      throw new InvalidTokenException("wrong audience");
    }
    Instant expiresAt = checkExpiry(claims, clock.instant());
    return new Principal(claims.path("sub").asLong(), claims.path("scope").asText(""), expiresAt);
  }

  /**
   * Rejects tokens whose {@code exp} is in the past or whose {@code nbf} is in the future, each
   * with {@link #CLOCK_SKEW} of leeway. A token without {@code exp} never expires and is refused.
   */
  static Instant checkExpiry(JsonNode claims, Instant now) throws InvalidTokenException {
    if (!claims.hasNonNull("exp") || !claims.get("exp").canConvertToLong()) {
      throw new InvalidTokenException("token has no expiry (exp) claim");
    }
    Instant expiresAt = Instant.ofEpochSecond(claims.get("exp").asLong());
    if (now.minus(CLOCK_SKEW).isAfter(expiresAt)) {
      throw new InvalidTokenException("token expired at " + expiresAt);
    }
    if (claims.hasNonNull("nbf")) {
      Instant notBefore = Instant.ofEpochSecond(claims.get("nbf").asLong());
      if (now.plus(CLOCK_SKEW).isBefore(notBefore)) {
        throw new InvalidTokenException("token not valid before " + notBefore);
      }
    }
    return expiresAt;
  }

  private static void verifySignature(String signingInput, String signature, byte[] key)
      throws InvalidTokenException {
    byte[] expected;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      expected = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
    byte[] actual;
    try {
      actual = B64URL.decode(signature);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("signature is not base64url");
    }
    // Constant-time comparison so the signature cannot be guessed byte by byte.
    if (!MessageDigest.isEqual(expected, actual)) {
      throw new InvalidTokenException("bad signature");
    }
  }

  private static JsonNode decodeJson(String part) throws InvalidTokenException {
    try {
      return JSON.readTree(new String(B64URL.decode(part), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | IOException e) {
      throw new InvalidTokenException("token part is not base64url JSON");
    }
  }
}
