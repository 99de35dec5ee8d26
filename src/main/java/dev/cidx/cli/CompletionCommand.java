package dev.cidx.cli;

import dev.cidx.index.Languages;
import dev.cidx.protocol.Accuracy;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code cidx completion}: a bash and zsh completion script generated from the command tree itself
 * (picocli's {@link AutoComplete}), so a new command or option completes without anyone editing a
 * script. zsh runs it through {@code bashcompinit}, which the script loads itself.
 */
@Command(name = "completion", description = {
    "Print a bash/zsh completion script for cidx.",
    "bash: source <(cidx completion)   (or save it under ~/.local/share/bash-completion/completions/cidx)",
    "zsh:  source <(cidx completion)   (in ~/.zshrc)"})
final class CompletionCommand implements Callable<Integer> {
  @ParentCommand
  RootCommand root;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    root.context().out().print(AutoComplete.bash("cidx", spec.root().commandLine()));
    return Cli.FOUND;
  }

  /** Values of {@code --language} and {@code --exclude-language}: the language names results show. */
  static final class LanguageNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Languages.names().iterator();
    }
  }

  /** Values of {@code --accuracy}, as typed ({@code fast}), not as the enum is spelled ({@code FAST}). */
  static final class AccuracyNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(Accuracy.values()).map(Accuracy::wireName).iterator();
    }
  }
}
