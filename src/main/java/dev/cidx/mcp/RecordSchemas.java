package dev.cidx.mcp;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.annotation.JsonValue;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schema of a result record, read from the same annotations Jackson serializes it with: each
 * component's {@link JsonProperty} name, its Java type, and {@link JsonInclude} {@code NON_NULL} for a
 * field that may be absent. So a renamed or added field changes the tool's output schema too, instead of
 * a hand-written schema drifting from what the tool sends ({@code RecordSchemasTest} checks the two
 * agree for every tool's result).
 *
 * <p>Types: primitives are required and never null; boxed numbers, booleans and strings may be null;
 * lists, maps and enums (by their {@link JsonValue} names) are never null; nested records may be null
 * (an index run in progress is one, or nothing) unless {@link JsonInclude} {@code NON_NULL} leaves them out
 * instead; {@link Void} is always null. A sealed interface is any of its records (Jackson writes the one
 * it holds). A component
 * without {@link JsonProperty} is refused: its wire name would be Jackson's guess. A {@link JsonUnwrapped}
 * record's fields are merged in, as Jackson writes them.
 *
 * <p>Tool arguments ({@link #input}) are records too: a field is required when its {@link JsonProperty}
 * says so, its {@link JsonPropertyDescription} becomes the description an agent reads, and no other
 * property is allowed.
 */
final class RecordSchemas {
  private RecordSchemas() {}

  /** The schema of {@code type}, a result record, as an object schema. */
  static Map<String, Object> of(Class<?> type) {
    return object(type, false);
  }

  /** The schema of the arguments record {@code type}. */
  static Map<String, Object> input(Class<?> type) {
    Map<String, Object> schema = object(type, true);
    schema.put("additionalProperties", false);
    return schema;
  }

  private static Map<String, Object> object(Class<?> type, boolean input) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record");
    }
    Map<String, Object> properties = new LinkedHashMap<>();
    List<String> required = new ArrayList<>();
    JsonInclude recordInclude = type.getAnnotation(JsonInclude.class);
    for (RecordComponent c : type.getRecordComponents()) {
      if (annotation(c, JsonUnwrapped.class) != null) {
        Map<String, Object> inner = object(c.getType(), input);
        @SuppressWarnings("unchecked")
        Map<String, Object> innerProperties = (Map<String, Object>) inner.get("properties");
        @SuppressWarnings("unchecked")
        List<String> innerRequired = (List<String>) inner.get("required");
        properties.putAll(innerProperties);
        required.addAll(innerRequired);
        continue;
      }
      JsonProperty name = annotation(c, JsonProperty.class);
      if (name == null || name.value().isEmpty()) {
        throw new IllegalArgumentException(type.getSimpleName() + "." + c.getName() + " has no @JsonProperty name");
      }
      if (input) {
        Map<String, Object> property = schemaOf(c.getGenericType(), false);
        JsonPropertyDescription description = annotation(c, JsonPropertyDescription.class);
        if (description != null) {
          property.put("description", description.value());
        }
        properties.put(name.value(), property);
        if (name.required()) {
          required.add(name.value());
        }
        continue;
      }
      JsonInclude include = annotation(c, JsonInclude.class);
      if (include == null) {
        include = recordInclude;
      }
      boolean mayBeAbsent = include != null && include.value() == JsonInclude.Include.NON_NULL;
      properties.put(name.value(), schemaOf(c.getGenericType(), !mayBeAbsent));
      if (!mayBeAbsent) {
        required.add(name.value());
      }
    }
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("type", "object");
    schema.put("properties", properties);
    schema.put("required", required);
    return schema;
  }

  private static <A extends java.lang.annotation.Annotation> A annotation(RecordComponent c, Class<A> type) {
    A a = c.getAnnotation(type);
    if (a == null) {
      a = c.getAccessor().getAnnotation(type);
    }
    if (a == null) {
      try {
        a = c.getDeclaringRecord().getDeclaredField(c.getName()).getAnnotation(type);
      } catch (NoSuchFieldException e) {
        // every component has its field
      }
    }
    return a;
  }

  /** {@code nullable}: whether a present field may hold null (an absent one is simply not required). */
  private static Map<String, Object> schemaOf(Type type, boolean nullable) {
    Map<String, Object> schema = new LinkedHashMap<>();
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      if (List.class.isAssignableFrom(raw)) {
        schema.put("type", "array");
        schema.put("items", schemaOf(p.getActualTypeArguments()[0], false));
        return schema;
      }
      if (Map.class.isAssignableFrom(raw)) {
        schema.put("type", "object");
        return schema;
      }
      throw new IllegalArgumentException("no schema for " + type);
    }
    Class<?> c = (Class<?>) type;
    if (c == int.class || c == long.class) {
      schema.put("type", "integer");
    } else if (c == double.class || c == float.class) {
      schema.put("type", "number");
    } else if (c == boolean.class) {
      schema.put("type", "boolean");
    } else if (c == Integer.class || c == Long.class) {
      schema.put("type", nullable ? List.of("integer", "null") : "integer");
    } else if (c == Double.class || c == Float.class) {
      schema.put("type", nullable ? List.of("number", "null") : "number");
    } else if (c == Boolean.class) {
      schema.put("type", nullable ? List.of("boolean", "null") : "boolean");
    } else if (c == String.class) {
      schema.put("type", nullable ? List.of("string", "null") : "string");
    } else if (c.isEnum()) {
      schema.put("type", "string");
      schema.put("enum", wireNames(c));
    } else if (c == Void.class) {
      schema.put("type", "null");
    } else if (c.isRecord()) {
      return nullable ? orNull(List.of(of(c))) : of(c);
    } else if (c.isInterface() && c.isSealed()) {
      List<Object> alternatives = new ArrayList<>();
      for (Class<?> permitted : c.getPermittedSubclasses()) {
        alternatives.add(schemaOf(permitted, false));
      }
      return nullable ? orNull(alternatives) : Map.of("anyOf", alternatives);
    } else if (c == Object.class) {
      return schema; // anything
    } else {
      throw new IllegalArgumentException("no schema for " + c.getName());
    }
    return schema;
  }

  private static Map<String, Object> orNull(List<Object> alternatives) {
    List<Object> all = new ArrayList<>(alternatives);
    all.add(Map.of("type", "null"));
    return Map.of("anyOf", all);
  }

  /** An enum's values as Jackson writes them: through its {@link JsonValue} method when it has one. */
  private static List<String> wireNames(Class<?> enumType) {
    Method wire = null;
    for (Method m : enumType.getMethods()) {
      if (m.isAnnotationPresent(JsonValue.class) && m.getParameterCount() == 0) {
        wire = m;
      }
    }
    List<String> names = new ArrayList<>();
    for (Object constant : enumType.getEnumConstants()) {
      try {
        names.add(wire == null ? ((Enum<?>) constant).name() : String.valueOf(wire.invoke(constant)));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read the wire name of " + constant, e);
      }
    }
    return names;
  }
}
