package io.smtpprotocol.demo.it;

import io.smtpprotocol.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the external clients (python3, swaks, curl) with a time limit. */
final class Tools {

  /**
   * What a finished command printed.
   *
   * @param exitCode the exit code
   * @param output standard output and error together
   */
  record Result(int exitCode, String output) {}

  private Tools() {}

  /**
   * Requires {@code tool} on the PATH: skips the test without it, or fails it on CI (see {@link
   * Requirements}).
   */
  static void assumeInstalled(String tool) {
    Requirements.tool(tool);
  }

  static Result run(List<String> command) throws IOException {
    return run(command, Map.of(), null);
  }

  /** Runs {@code command} (at most 60 seconds), feeding it {@code input} when not null. */
  static Result run(List<String> command, Map<String, String> environment, byte[] input)
      throws IOException {
    Path output = Files.createTempFile("tool", ".out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(new ArrayList<>(command))
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      builder.environment().putAll(environment);
      if (input == null) {
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      }
      Process process = builder.start();
      if (input != null) {
        try (var in = process.getOutputStream()) {
          in.write(input);
        }
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(command + " did not finish in 60 s: " + Files.readString(output));
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** Runs a Python 3 script given as text, with arguments. */
  static Result python(String script, String... arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of("python3", "-c", script));
    command.addAll(List.of(arguments));
    return run(command);
  }
}
