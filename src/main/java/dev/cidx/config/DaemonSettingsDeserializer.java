package dev.cidx.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;

/** Lets databind bind {@code daemon} through {@link DaemonSettings#read}, the one reader of that block. */
final class DaemonSettingsDeserializer extends StdDeserializer<DaemonSettings> {
  DaemonSettingsDeserializer() {
    super(DaemonSettings.class);
  }

  @Override
  public DaemonSettings deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    return DaemonSettings.read(p);
  }
}
