package dev.cidx.cli;

public final class Launcher {
  public static void main(String[] args) {}
}
