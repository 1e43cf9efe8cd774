package io.smtpprotocol.demo.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The built demo jar, started as a process on free ports with its own Maildir, seen only through
 * its ports (and, for the Maildir checks, the folder it writes).
 */
final class DemoApp implements AutoCloseable {

  private final Process process;
  private final Path directory;
  private final Path log;
  private final int smtpPort;
  private final int httpPort;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private DemoApp(Process process, Path directory, Path log, int smtpPort, int httpPort) {
    this.process = process;
    this.directory = directory;
    this.log = log;
    this.smtpPort = smtpPort;
    this.httpPort = httpPort;
  }

  /** The jar that the build made. */
  static Path jar() {
    Path jar = Path.of(System.getProperty("demo.jar", "target/demo-app.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: run the integration tests with mvn verify");
    }
    return jar;
  }

  /**
   * Starts the jar with these extra arguments and environment; the ports come from {@code
   * --smtp.server.port} and {@code --server.port} arguments, unless the environment sets {@code
   * SMTP_SERVER_PORT} and {@code SERVER_PORT}.
   */
  static DemoApp start(Map<String, String> environment, String... arguments) throws IOException {
    Path directory = Files.createTempDirectory("demo-app-it");
    Path log = directory.resolve("demo.log");
    int smtpPort = Integer.parseInt(environment.getOrDefault("SMTP_SERVER_PORT", "" + freePort()));
    int httpPort = Integer.parseInt(environment.getOrDefault("SERVER_PORT", "" + freePort()));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", jar().toString()));
    if (!environment.containsKey("SMTP_SERVER_PORT")) {
      command.add("--smtp.server.port=" + smtpPort);
    }
    if (!environment.containsKey("SERVER_PORT")) {
      command.add("--server.port=" + httpPort);
    }
    command.add("--demo.maildir=" + directory.resolve("maildir"));
    command.addAll(List.of(arguments));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    DemoApp app = new DemoApp(builder.start(), directory, log, smtpPort, httpPort);
    try {
      app.awaitHealthy();
    } catch (RuntimeException e) {
      app.close();
      throw new IllegalStateException("demo-app did not start:\n" + app.logText(), e);
    }
    return app;
  }

  private void awaitHealthy() {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException("exited with " + process.exitValue());
              }
              try {
                return get("/actuator/health").statusCode() == 200;
              } catch (IOException e) {
                return false;
              }
            });
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** The process id of the running jar. */
  long pid() {
    return process.pid();
  }

  int smtpPort() {
    return smtpPort;
  }

  int httpPort() {
    return httpPort;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  Path maildir() {
    return directory.resolve("maildir");
  }

  String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  HttpResponse<String> get(String path) throws IOException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET());
  }

  HttpResponse<byte[]> getBytes(String path) throws IOException {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(baseUrl() + path))
              .timeout(Duration.ofSeconds(30))
              .GET()
              .build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  HttpResponse<String> delete(String path) throws IOException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).DELETE());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(
          request.timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** The files in one of the Maildir's subdirectories. */
  List<Path> files(String subdirectory) {
    try (Stream<Path> files = Files.list(maildir().resolve(subdirectory))) {
      return files.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the process (SIGTERM: graceful shutdown) and removes its directory. */
  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
