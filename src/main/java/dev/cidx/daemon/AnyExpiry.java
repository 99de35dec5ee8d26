package dev.cidx.daemon;

import java.util.List;

/** Runs every rule and returns the most drastic result; among equals, the first rule's reason. */
final class AnyExpiry implements Expiry {
  private final List<Expiry> rules;

  AnyExpiry(List<Expiry> rules) {
    this.rules = List.copyOf(rules);
  }

  @Override
  public Result check() {
    Result worst = Result.NONE;
    for (Expiry rule : rules) {
      Result r = rule.check();
      if (r.action().compareTo(worst.action()) > 0) {
        worst = r;
      }
    }
    return worst;
  }
}
