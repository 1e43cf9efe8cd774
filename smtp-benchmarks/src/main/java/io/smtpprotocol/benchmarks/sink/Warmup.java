package io.smtpprotocol.benchmarks.sink;

import io.smtpprotocol.server.SmtpServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sends messages through a sink over loopback so that the JIT has compiled the engine's hot path
 * before the measured sink opens its port: a JVM that has not yet done so spends much of its first
 * tens of thousands of messages compiling.
 *
 * <p>The messages mirror the load tests: one transaction after another on a few connections (half
 * of them greeted with HELO, as postfix's smtp-source does, half with EHLO), no pipelining, mostly
 * 1 KiB bodies and every tenth 100 KiB (which takes the backpressure path).
 */
final class Warmup {

  static final int CONNECTIONS = 8;
  private static final int LARGE_EVERY = 10;

  private static final byte[] SMALL = body(1024);
  private static final byte[] LARGE = body(100 * 1024);
  private static final byte[] MAIL = ascii("MAIL FROM:<warmup@example.com>\r\n");
  private static final byte[] RCPT = ascii("RCPT TO:<sink@example.com>\r\n");
  private static final byte[] DATA = ascii("DATA\r\n");

  private Warmup() {}

  /**
   * Sends {@code messages} messages to {@code sink} on {@link #CONNECTIONS} connections and returns
   * how many were answered 250; without {@code large}, all of them are 1 KiB.
   */
  static long run(SmtpServer sink, long messages, boolean large) throws IOException {
    return run(sink, messages, large, false);
  }

  /**
   * As {@link #run(SmtpServer, long, boolean)}, each connection first sending a PROXY v1 header.
   */
  static long run(SmtpServer sink, long messages, boolean large, boolean proxy) throws IOException {
    ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
    try {
      List<Future<Long>> sent = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS; i++) {
        long share = messages / CONNECTIONS + (i < messages % CONNECTIONS ? 1 : 0);
        boolean ehlo = i % 2 == 1;
        sent.add(clients.submit(() -> send(sink.port(), share, large, ehlo, proxy)));
      }
      long accepted = 0;
      for (Future<Long> f : sent) {
        accepted += f.get();
      }
      return accepted;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while warming up", e);
    } finally {
      clients.shutdownNow();
    }
  }

  /** Warms up on a throw-away sink with the same options, then stops it. */
  static long run(SmtpSink.Options options) throws IOException {
    SmtpServer sink = SmtpSink.start(options.onLoopback());
    try {
      return run(
          sink,
          options.warmup(),
          options.maxMessageSize() > 2 * LARGE.length,
          !options.proxyProtocol().isEmpty());
    } finally {
      sink.shutdownGracefully(Duration.ofSeconds(5)).join();
    }
  }

  private static long send(int port, long messages, boolean large, boolean ehlo, boolean proxy)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      socket.setSoTimeout(30_000);
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
      if (proxy) {
        out.write(
            ascii("PROXY TCP4 127.0.0.1 127.0.0.1 " + socket.getLocalPort() + " " + port + "\r\n"));
        out.flush();
      }
      expect(in, 220);
      command(in, out, ascii((ehlo ? "EHLO" : "HELO") + " warmup.example.com\r\n"), 250);
      long accepted = 0;
      for (long i = 0; i < messages; i++) {
        command(in, out, MAIL, 250);
        command(in, out, RCPT, 250);
        command(in, out, DATA, 354);
        out.write(large && i % LARGE_EVERY == LARGE_EVERY - 1 ? LARGE : SMALL);
        out.write(ascii(".\r\n"));
        out.flush();
        expect(in, 250);
        accepted++;
      }
      command(in, out, ascii("QUIT\r\n"), 221);
      return accepted;
    }
  }

  private static void command(InputStream in, OutputStream out, byte[] line, int code)
      throws IOException {
    out.write(line);
    out.flush();
    expect(in, code);
  }

  /** Reads one reply, all its lines, and checks its code. */
  private static void expect(InputStream in, int code) throws IOException {
    while (true) {
      int d0 = in.read();
      int d1 = in.read();
      int d2 = in.read();
      int sep = in.read();
      if (sep < 0) {
        throw new IOException("connection closed while waiting for " + code);
      }
      int got = (d0 - '0') * 100 + (d1 - '0') * 10 + (d2 - '0');
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("connection closed while waiting for " + code);
        }
      }
      if (got != code) {
        throw new IOException("expected " + code + ", got " + got);
      }
      if (sep != '-') {
        return;
      }
    }
  }

  /** Header and lines of 78 X's up to about {@code size} octets, each line ending CRLF. */
  private static byte[] body(int size) {
    StringBuilder sb = new StringBuilder(size + 100);
    sb.append("From: warmup@example.com\r\nTo: sink@example.com\r\nSubject: warm-up\r\n\r\n");
    String line = "X".repeat(78) + "\r\n";
    while (sb.length() + line.length() <= size) {
      sb.append(line);
    }
    return ascii(sb.toString());
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
