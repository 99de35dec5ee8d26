package dev.cidx.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/** A {@link Process} for spawner tests: alive while {@code alive} says so, then exits with {@code exitCode}. */
public final class FakeProcess extends Process {
  private final BooleanSupplier alive;
  private final int exitCode;

  public FakeProcess(BooleanSupplier alive, int exitCode) {
    this.alive = alive;
    this.exitCode = exitCode;
  }

  @Override
  public OutputStream getOutputStream() {
    return OutputStream.nullOutputStream();
  }

  @Override
  public InputStream getInputStream() {
    return InputStream.nullInputStream();
  }

  @Override
  public InputStream getErrorStream() {
    return InputStream.nullInputStream();
  }

  @Override
  public int waitFor() {
    while (alive.getAsBoolean()) {
      Thread.onSpinWait();
    }
    return exitCode;
  }

  @Override
  public boolean isAlive() {
    return alive.getAsBoolean();
  }

  @Override
  public int exitValue() {
    if (alive.getAsBoolean()) {
      throw new IllegalThreadStateException("still running");
    }
    return exitCode;
  }

  @Override
  public void destroy() {}
}
