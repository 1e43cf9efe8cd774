package io.smtpprotocol.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external SMTP client (swaks, python3) as a process, with a timeout. */
final class ClientProcess {

  /** How long one client run may take before it is destroyed. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** What the process printed (stdout and stderr merged) and how it exited. */
  record Result(List<String> command, int exitCode, String output) {
    List<String> lines() {
      return output.lines().toList();
    }

    /** Describes the run, for assertion messages. */
    String describe() {
      return String.join(" ", command) + "\nexit " + exitCode + "\n" + output;
    }
  }

  private ClientProcess() {}

  /** Runs the command with the working directory {@code dir}, waiting up to {@link #TIMEOUT}. */
  static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
    Path output = Files.createTempFile(dir, "client", ".out");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().put("PYTHONIOENCODING", "utf-8");
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    Process process = builder.start();
    process.getOutputStream().close(); // nothing on standard input
    if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(
          "client did not finish within "
              + TIMEOUT
              + ": "
              + String.join(" ", command)
              + "\n"
              + read(output));
    }
    return new Result(List.copyOf(command), process.exitValue(), read(output));
  }

  private static String read(Path output) throws IOException {
    return new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
  }

  /** Copies a test resource to a file in {@code dir}, for a process to read. */
  static Path resource(Path dir, String name) throws IOException {
    try (InputStream in = ClientProcess.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      Path file = dir.resolve(name);
      Files.copy(in, file);
      return file;
    }
  }
}
