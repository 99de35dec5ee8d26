package dev.cidx.index;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSTree;

/**
 * Plans a file's chunks on declaration boundaries from its tree-sitter syntax tree.
 *
 * <p>A node that fits the token budget is one piece. A bigger one is cut between its members: a type's
 * members, a function's statements, a file's top-level declarations. Comments go with the member after
 * them, and the lines between members (blank lines, a closing brace) with the member before. Members
 * that fit are packed into one piece while the budget and {@code maxMergeLines} allow; a member too big
 * is cut the same way, recursively. A type that is cut keeps its header (its first lines and the fields
 * before its first method) as a piece of its own. Whatever has no members to cut between (a huge
 * literal) is left to line windows.
 *
 * <p>Each piece carries a context line: the path, the enclosing types, and, for a piece from inside a
 * function that had to be cut, that function's signature.
 *
 * <p>The plan is empty, and the caller falls back to line windows, when the language has no grammar
 * here, the file is too large, the parse times out, or the tree has a syntax error: a tree built around
 * an error gives boundaries no better than windows, and windows are what a user of the last version saw.
 * Thread-safe: a parser is made per call.
 */
final class SyntaxChunker {
  /** Larger files are left to windows: the parse is linear, but the tree of a generated file helps no one. */
  static final int MAX_FILE_CHARS = 1_000_000;
  /**
   * A parse taking longer than {@link #parseTimeoutMicros} (hostile or pathological input) is abandoned.
   * The bound is wall time (tree-sitter's clock), so it scales with the file and leaves about ten times
   * a normal parse's time: dense Java parses at about 1.1 µs per character on an idle core (1 MB in 1.1 s,
   * javac's Attr.java in 0.1 s), and a flat 2 s cut big files to windows whenever the machine was busy,
   * which made the chunks of one repository depend on the load.
   */
  static final long PARSE_TIMEOUT_BASE_MICROS = 2_000_000;
  static final long PARSE_TIMEOUT_MICROS_PER_CHAR = 10;
  /** Nesting deeper than this is left to windows, bounding the recursion whatever the input. */
  static final int MAX_DEPTH = 32;
  /** A context line is cut to this many characters; the chunker reserves tokens for it. */
  static final int MAX_CONTEXT_CHARS = 160;

  /** How long the parse of a file of {@code chars} characters may take: 2 s plus 10 µs per character. */
  static long parseTimeoutMicros(int chars) {
    return PARSE_TIMEOUT_BASE_MICROS + PARSE_TIMEOUT_MICROS_PER_CHAR * chars;
  }

  /** Lines {@code start..end} (0-based, inclusive) as one chunk, or cut into windows when not {@code whole}. */
  record Piece(int start, int end, boolean whole, String context) {}

  private final int budget;
  private final int maxMergeLines;

  SyntaxChunker(int budget, int maxMergeLines) {
    this.budget = budget;
    this.maxMergeLines = maxMergeLines;
  }

  /**
   * The pieces covering {@code lines} in order, or empty when the file should be cut into windows.
   * {@code prefixCost[i]} is the token cost of lines {@code 0..i-1}.
   */
  Optional<List<Piece>> plan(String path, String language, String text, List<String> lines, long[] prefixCost) {
    if (text.length() > MAX_FILE_CHARS || lines.isEmpty()) {
      return Optional.empty();
    }
    Optional<TSLanguage> grammar = TreeSitterGrammars.grammar(language);
    if (grammar.isEmpty()) {
      return Optional.empty();
    }
    TSParser parser = TreeSitterGrammars.parser(grammar.get(), parseTimeoutMicros(text.length()));
    TSTree tree = parser.parseString(null, text);
    if (!TreeSitterGrammars.hasTree(tree)) {
      return Optional.empty();
    }
    TSNode root = tree.getRootNode();
    if (root.hasError()) {
      return Optional.empty();
    }
    Plan plan = new Plan(text.getBytes(StandardCharsets.UTF_8), lines.size(), prefixCost);
    int last = lines.size() - 1;
    if (plan.cost(0, last) <= budget) {
      plan.out.add(new Piece(0, last, true, path));
    } else {
      plan.cutMembers(root, true, 0, last, new Scope(path, List.of(), ""), 0);
    }
    return Optional.of(plan.out);
  }

  /** Where a piece sits: the path, the enclosing types, and the function it is part of, if any. */
  private record Scope(String path, List<String> types, String member) {
    Scope withType(String type) {
      List<String> t = new ArrayList<>(types);
      t.add(type);
      return new Scope(path, t, "");
    }

    Scope withMember(String signature) {
      return new Scope(path, types, signature);
    }

    String line() {
      StringBuilder s = new StringBuilder(path);
      if (!types.isEmpty()) {
        s.append(" | ").append(String.join(" > ", types));
      }
      if (!member.isEmpty()) {
        s.append(" | ").append(member);
      }
      return s.length() <= MAX_CONTEXT_CHARS ? s.toString() : s.substring(0, MAX_CONTEXT_CHARS);
    }
  }

  /** One unit between cuts: rows {@code start..end}, and the member node that starts it (null for a head). */
  private record Unit(int start, int end, TSNode node) {}

  /** The state of one file's plan. */
  private final class Plan {
    private final byte[] utf8;
    private final int lineCount;
    private final long[] prefixCost;
    private final List<Piece> out = new ArrayList<>();

    Plan(byte[] utf8, int lineCount, long[] prefixCost) {
      this.utf8 = utf8;
      this.lineCount = lineCount;
      this.prefixCost = prefixCost;
    }

    long cost(int start, int end) {
      return prefixCost[end + 1] - prefixCost[start];
    }

    /** Cuts rows {@code start..end}, which hold {@code node} and are over the budget. */
    void cutMembers(TSNode node, boolean root, int start, int end, Scope outer, int depth) {
      if (depth > MAX_DEPTH) {
        out.add(new Piece(start, end, false, outer.line()));
        return;
      }
      boolean type = !root && isType(node);
      Scope scope = type ? outer.withType(typeLabel(node))
          : !root && isFunction(node) ? outer.withMember(signature(node)) : outer;
      TSNode container = root ? node : body(node);
      List<Unit> units = units(container, start, end);
      if (units.size() == 1 && units.get(0).node() != null) { // one member fills it: cut that member
        cutMembers(units.get(0).node(), false, start, end, scope, depth + 1);
        return;
      }
      if (units.size() <= 1) {
        out.add(new Piece(start, end, false, scope.line()));
        return;
      }
      int from = 0;
      if (type) {
        // The header: the type's first lines and the fields before its first method, alone.
        int headerEnd = units.get(0).end();
        from = 1;
        while (from < units.size() - 1 && units.get(from).node() != null && !isDeclaration(units.get(from).node())) {
          headerEnd = units.get(from).end();
          from++;
        }
        if (cost(start, headerEnd) > budget) {
          out.add(new Piece(start, headerEnd, false, scope.line()));
        } else if (headerEnd - start >= 2 || from > 1) {
          out.add(new Piece(start, headerEnd, true, scope.line()));
        } else {
          from = 0; // a one-line header is merged with what follows
        }
      }
      pack(units.subList(from, units.size()), scope, depth);
    }

    /** Packs consecutive units into pieces while they fit; a unit too big on its own is cut further. */
    private void pack(List<Unit> units, Scope scope, int depth) {
      int groupStart = -1;
      int groupEnd = -1;
      for (Unit u : units) {
        if (cost(u.start(), u.end()) > budget) {
          flush(groupStart, groupEnd, scope);
          groupStart = -1;
          if (u.node() == null) {
            out.add(new Piece(u.start(), u.end(), false, scope.line()));
          } else {
            cutMembers(u.node(), false, u.start(), u.end(), scope, depth + 1);
          }
          continue;
        }
        if (groupStart >= 0 && (cost(groupStart, u.end()) > budget || u.end() - groupStart + 1 > maxMergeLines)) {
          flush(groupStart, groupEnd, scope);
          groupStart = -1;
        }
        if (groupStart < 0) {
          groupStart = u.start();
        }
        groupEnd = u.end();
      }
      flush(groupStart, groupEnd, scope);
    }

    private void flush(int start, int end, Scope scope) {
      if (start >= 0) {
        out.add(new Piece(start, end, true, scope.line()));
      }
    }

    /**
     * The rows {@code start..end} cut before each member of {@code container} that starts on a new row.
     * Comments go with the member after them; the first unit (the head) has no node.
     */
    private List<Unit> units(TSNode container, int start, int end) {
      List<Integer> cuts = new ArrayList<>();
      List<TSNode> nodes = new ArrayList<>();
      int pendingComment = -1;
      int count = container.getNamedChildCount();
      for (int i = 0; i < count; i++) {
        TSNode member = container.getNamedChild(i);
        int row = Math.max(start, member.getStartPoint().getRow());
        if (row > end) {
          break;
        }
        boolean comment = member.getType().contains("comment");
        if (comment) {
          if (pendingComment < 0) {
            pendingComment = row;
          }
          continue;
        }
        int cut = pendingComment >= 0 ? pendingComment : row;
        pendingComment = -1;
        if (!cuts.isEmpty() && cut <= cuts.get(cuts.size() - 1)) {
          continue; // on a row the previous member is on: part of its unit
        }
        if (cuts.isEmpty() && cut == start) {
          cuts.add(start);
          nodes.add(member);
          continue;
        }
        if (cuts.isEmpty()) {
          cuts.add(start); // the head
          nodes.add(null);
        }
        cuts.add(cut);
        nodes.add(member);
      }
      List<Unit> units = new ArrayList<>(cuts.size());
      for (int i = 0; i < cuts.size(); i++) {
        int unitEnd = i + 1 < cuts.size() ? cuts.get(i + 1) - 1 : end;
        units.add(new Unit(cuts.get(i), unitEnd, nodes.get(i)));
      }
      return units;
    }

    /**
     * The node holding a declaration's members: its last named child when that is its body (a class
     * body, a block), runs to the declaration's end, and the children before it sit in a short header.
     */
    private TSNode body(TSNode node) {
      TSNode current = node;
      for (int level = 0; level < 4; level++) {
        int n = current.getNamedChildCount();
        if (n == 0) {
          break;
        }
        TSNode last = current.getNamedChild(n - 1);
        boolean isBody = "body".equals(current.getFieldNameForNamedChild(n - 1)) || BODY_WORDS.stream()
            .anyMatch(last.getType()::contains);
        boolean shortHeader = last.getStartPoint().getRow() - current.getStartPoint().getRow() <= 8;
        if (isBody && shortHeader && lastRow(last) >= lastRow(current) - 1 && last.getNamedChildCount() > 0) {
          current = last;
        } else {
          break;
        }
      }
      return current;
    }

    /** The last row a node has text on (a node ending at column 0 ends on the row before). */
    private int lastRow(TSNode node) {
      int row = node.getEndPoint().getRow();
      if (node.getEndPoint().getColumn() == 0 && row > node.getStartPoint().getRow()) {
        row--;
      }
      return Math.min(row, lineCount - 1);
    }

    private String typeLabel(TSNode node) {
      TSNode name = node.getChildByFieldName("name");
      String kind = node.getType().replace("_declaration", "").replace("_definition", "").replace("_item", "")
          .replace("_specifier", "");
      return name == null || name.isNull() ? kind : kind + " " + text(name);
    }

    /** A function's text up to its body, on one line. */
    private String signature(TSNode node) {
      TSNode body = node.getChildByFieldName("body");
      int endByte = body == null || body.isNull() ? node.getEndByte() : body.getStartByte();
      String s = new String(utf8, node.getStartByte(), Math.min(endByte, node.getStartByte() + 400) - node.getStartByte(),
          StandardCharsets.UTF_8);
      return s.replaceAll("\\s+", " ").strip();
    }

    private String text(TSNode node) {
      int startByte = node.getStartByte();
      int endByte = Math.min(node.getEndByte(), startByte + 200);
      return new String(utf8, startByte, endByte - startByte, StandardCharsets.UTF_8);
    }
  }

  /** Node names of the bodies that hold members or statements, across the grammars. */
  private static final List<String> BODY_WORDS = List.of(
      "body", "block", "declaration_list", "statements", "compound_statement", "suite");
  private static final List<String> TYPE_WORDS = List.of(
      "class", "interface", "enum", "struct", "impl", "trait", "module", "namespace", "object", "record",
      "protocol", "union", "type_spec", "type_declaration");
  private static final List<String> FUNCTION_WORDS = List.of(
      "method", "function", "constructor", "lambda", "initializer", "closure", "arrow");

  /** A node that declares a type (class, struct, impl, ...), by its grammar's node name. */
  static boolean isType(TSNode node) {
    String t = node.getType().toLowerCase(Locale.ROOT);
    if (t.endsWith("_body") || t.contains("constant") || t.contains("body") || t.contains("list")) {
      return false;
    }
    return TYPE_WORDS.stream().anyMatch(t::contains) && !FUNCTION_WORDS.stream().anyMatch(t::contains);
  }

  static boolean isFunction(TSNode node) {
    String t = node.getType().toLowerCase(Locale.ROOT);
    return FUNCTION_WORDS.stream().anyMatch(t::contains) && !t.contains("call") && !t.contains("body");
  }

  /** A member that is a declaration of its own (a method, a nested type), not a field. */
  static boolean isDeclaration(TSNode node) {
    String t = node.getType();
    return isType(node) || isFunction(node) || t.equals("decorated_definition");
  }
}
