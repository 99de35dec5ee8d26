package dev.cidx.cli;

/** A failure the user can fix; its message is printed as is, on one line, with exit code 2. */
final class UserError extends RuntimeException {
  UserError(String message) {
    super(message);
  }

  UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
