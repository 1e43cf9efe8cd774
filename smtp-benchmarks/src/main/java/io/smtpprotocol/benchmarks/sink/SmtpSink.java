package io.smtpprotocol.benchmarks.sink;

import io.smtpprotocol.server.Limits;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An SMTP sink for load tests: accepts every sender and recipient, reads and discards each body,
 * answers 250.
 *
 * <pre>
 * java -jar smtp-sink.jar --port 2525 [--address 127.0.0.1] [--max-message-size 104857600]
 *                         [--io-threads CORES/2] [--max-connections 20000] [--domain smtp-sink]
 *                         [--warmup 50000] [--proxy-protocol 127.0.0.1,10.0.0.0/8]
 * </pre>
 *
 * <p>Before it opens its port the sink sends {@code --warmup} messages through a throw-away copy of
 * itself on a free loopback port (see {@link Warmup}); {@code --warmup 0} skips that.
 */
public final class SmtpSink {

  private static final String LEAK_DETECTION = "io.netty.leakDetection.level";

  private SmtpSink() {}

  /** The command line options, with their defaults. */
  record Options(
      String address,
      int port,
      long maxMessageSize,
      int ioThreads,
      int maxConnections,
      String domain,
      long warmup,
      String proxyProtocol) {

    static final Options DEFAULTS =
        new Options(
            "127.0.0.1",
            2525,
            100L * 1024 * 1024,
            defaultIoThreads(),
            20_000,
            "smtp-sink",
            50_000,
            "");

    /**
     * The same sink on a free loopback port, for the warm-up; behind the PROXY protocol when this
     * one is, trusting the warm-up's clients.
     */
    Options onLoopback() {
      return new Options(
          "127.0.0.1",
          0,
          maxMessageSize,
          ioThreads,
          maxConnections,
          domain,
          0,
          proxyProtocol.isEmpty() ? "" : "127.0.0.1");
    }

    /** The trusted proxies, empty when the PROXY protocol is off. */
    List<String> trustedProxies() {
      return proxyProtocol.isEmpty() ? List.of() : List.of(proxyProtocol.split(","));
    }

    /**
     * Half the processors, at least one: the handler threads and, in a loopback benchmark, the load
     * generator need the rest, and an event loop serving more connections sleeps less often.
     */
    static int defaultIoThreads() {
      return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    static Options parse(String... args) {
      String address = DEFAULTS.address;
      int port = DEFAULTS.port;
      long maxMessageSize = DEFAULTS.maxMessageSize;
      int ioThreads = DEFAULTS.ioThreads;
      int maxConnections = DEFAULTS.maxConnections;
      String domain = DEFAULTS.domain;
      long warmup = DEFAULTS.warmup;
      String proxyProtocol = DEFAULTS.proxyProtocol;
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (name.equals("--help") || name.equals("-h")) {
          throw new HelpRequested();
        }
        String value;
        int eq = name.indexOf('=');
        if (name.startsWith("--") && eq > 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException("missing value for " + name);
        }
        switch (name) {
          case "--address" -> address = value;
          case "--port" -> port = number(name, value, 0, 65535);
          case "--max-message-size" -> maxMessageSize = number(name, value, 1, Long.MAX_VALUE);
          case "--io-threads" -> ioThreads = (int) number(name, value, 0, 1024);
          case "--max-connections" -> maxConnections = (int) number(name, value, 1, 1_000_000);
          case "--domain" -> domain = value;
          case "--warmup" -> warmup = number(name, value, 0, 10_000_000L);
          case "--proxy-protocol" -> proxyProtocol = value.strip();
          default -> throw new IllegalArgumentException("unknown option " + name);
        }
      }
      return new Options(
          address, port, maxMessageSize, ioThreads, maxConnections, domain, warmup, proxyProtocol);
    }

    private static int number(String name, String value, int min, int max) {
      return (int) number(name, value, min, (long) max);
    }

    private static long number(String name, String value, long min, long max) {
      long n;
      try {
        n = Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be a number: " + value, e);
      }
      if (n < min || n > max) {
        throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ": " + value);
      }
      return n;
    }
  }

  /** Thrown by {@link Options#parse} for {@code --help}. */
  static final class HelpRequested extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    HelpRequested() {
      super("help");
    }
  }

  /** Starts a sink as {@code args} say and returns it, running (without a warm-up). */
  public static SmtpServer start(String... args) {
    return start(Options.parse(args));
  }

  static SmtpServer start(Options o) {
    InetAddress address;
    try {
      address = InetAddress.getByName(o.address());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--address is not an address: " + o.address(), e);
    }
    Limits limits =
        Limits.DEFAULTS
            .withMaxMessageSize(o.maxMessageSize())
            .withMaxConnections(o.maxConnections())
            .withMaxConnectionsPerIp(o.maxConnections());
    SmtpServerBuilder builder =
        SmtpServer.builder()
            .domain(o.domain())
            .address(address)
            .port(o.port())
            .ioThreads(o.ioThreads())
            .limits(limits)
            .handler(new SinkHandler());
    if (!o.proxyProtocol().isEmpty()) {
      builder.proxyProtocol(o.trustedProxies());
    }
    return builder.build().start();
  }

  public static void main(String[] args) {
    // Netty samples buffers for leak reports by default, capturing a stack trace each time; a
    // sink that is measured does without (-Dio.netty.leakDetection.level=simple turns it back on).
    if (System.getProperty(LEAK_DETECTION) == null) {
      System.setProperty(LEAK_DETECTION, "disabled");
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (HelpRequested e) {
      usage(System.out, null);
      return;
    } catch (IllegalArgumentException e) {
      usage(System.err, e.getMessage());
      System.exit(2);
      return;
    }
    if (options.warmup() > 0) {
      warmUp(options);
    }
    SmtpServer server;
    try {
      server = start(options);
    } catch (IllegalArgumentException e) {
      usage(System.err, e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> server.shutdownGracefully(Duration.ofSeconds(5)).join(), "smtp-sink-stop"));
    server.terminationFuture().join();
  }

  private static void warmUp(Options options) {
    long t0 = System.nanoTime();
    try {
      long accepted = Warmup.run(options);
      System.err.printf(
          "smtp-sink: warmed up with %d messages in %d ms%n",
          accepted, (System.nanoTime() - t0) / 1_000_000);
    } catch (IOException e) {
      // a sink that could not warm up still works, it is only slower at first
      System.err.println("smtp-sink: warm-up failed: " + e);
    }
  }

  private static void usage(PrintStream out, @Nullable String problem) {
    if (problem != null) {
      out.println("smtp-sink: " + problem);
    }
    out.println(
        "usage: java -jar smtp-sink.jar [--port 2525] [--address 127.0.0.1] [--max-message-size 104857600]\n"
            + "                             [--io-threads CORES/2] [--max-connections 20000] [--domain smtp-sink]\n"
            + "                             [--warmup 50000] [--proxy-protocol TRUSTED,...]");
  }
}
