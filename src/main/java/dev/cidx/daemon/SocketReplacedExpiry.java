package dev.cidx.daemon;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Our socket file was deleted or replaced by someone else: no client can reach this daemon any more, so
 * it stops (it leaves the path alone, since what is there now is not its own). Typical causes: the user
 * deleted {@code .code-indexer}, or moved the repository.
 */
final class SocketReplacedExpiry implements Expiry {
  private final Path socket;
  private final BooleanSupplier stillOurs;

  SocketReplacedExpiry(Path socket, BooleanSupplier stillOurs) {
    this.socket = socket;
    this.stillOurs = stillOurs;
  }

  @Override
  public Result check() {
    if (stillOurs.getAsBoolean()) {
      return Result.NONE;
    }
    return new Result(Action.STOP, "socket " + socket + " was removed or replaced by another process");
  }
}
