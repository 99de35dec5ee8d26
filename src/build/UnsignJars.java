import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites each signed jar in a directory without its signature files, run by the build (pom.xml) on
 * target/lib. A signed jar makes the JVM parse its signature and digest every class it loads from it:
 * Eclipse Collections (under hnswlib's graph) cost the daemon about 0.15-0.25 s of CPU on each cold start
 * (BENCHMARKS.md, issue 11). The jars come from Maven Central, checked by Maven against their checksums;
 * the signature adds no check that cidx relies on. A jar without signature files is left as it is, so a
 * second run changes nothing.
 *
 * <p>usage: java src/build/UnsignJars.java DIR
 */
public final class UnsignJars {
  private static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)");

  public static void main(String[] args) throws IOException {
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of(args[0]), "*.jar")) {
      for (Path jar : jars) {
        if (isSigned(jar)) {
          unsign(jar);
          System.out.println("unsigned " + jar.getFileName());
        }
      }
    }
  }

  private static boolean isSigned(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream().anyMatch(e -> SIGNATURE.matcher(e.getName()).matches());
    }
  }

  private static void unsign(Path jar) throws IOException {
    Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
    try (ZipFile zip = new ZipFile(jar.toFile()); OutputStream file = Files.newOutputStream(tmp);
        ZipOutputStream out = new ZipOutputStream(file)) {
      for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
        ZipEntry entry = entries.nextElement();
        if (SIGNATURE.matcher(entry.getName()).matches()) {
          continue;
        }
        out.putNextEntry(new ZipEntry(entry.getName()));
        try (InputStream in = zip.getInputStream(entry)) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
  }
}
