package io.smtpprotocol.client;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** An SMTP server nobody here wrote, run as a process on a loopback port and stopped by its PID. */
final class Peer implements AutoCloseable {

  final Process process;
  final int port;
  private final Path log;

  private Peer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Whether an executable is on the PATH or at this absolute path. */
  static boolean installed(String name) {
    if (name.startsWith("/")) {
      return Files.isExecutable(Path.of(name));
    }
    String path = System.getenv("PATH");
    return path != null
        && Arrays.stream(path.split(File.pathSeparator))
            .filter(dir -> !dir.isEmpty())
            .anyMatch(dir -> Files.isExecutable(Path.of(dir, name)));
  }

  /** A loopback port that was free a moment ago (for tools that cannot bind port 0). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts the command and waits until the port accepts connections (or, when {@code readyLine} is
   * not null, until the process prints it).
   */
  static Peer start(List<String> command, int port, Path dir, String readyLine) throws IOException {
    Path log = Files.createTempFile(dir, "peer", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    if (readyLine == null) {
      builder.redirectOutput(log.toFile());
    }
    Process process = builder.start();
    Peer peer = new Peer(process, port, log);
    try {
      if (readyLine != null) {
        BufferedReader out =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Thread reader =
            new Thread(
                () -> {
                  try {
                    String line;
                    while ((line = out.readLine()) != null) {
                      Files.writeString(log, line + "\n", java.nio.file.StandardOpenOption.APPEND);
                    }
                  } catch (IOException ignored) {
                    // the process ended
                  }
                },
                "peer-output");
        reader.setDaemon(true);
        reader.start();
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> !process.isAlive() || Files.readString(log).contains(readyLine));
      } else {
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> !process.isAlive() || accepts(port));
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "peer exited with "
                + process.exitValue()
                + ": "
                + String.join(" ", command)
                + "\n"
                + Files.readString(log));
      }
      return peer;
    } catch (RuntimeException e) {
      peer.close();
      throw e;
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  /** Stops this process (by its PID) and waits for it. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
