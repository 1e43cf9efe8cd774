package io.smtpprotocol.benchmarks.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.server.Limits;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.tls.SslContexts;
import io.smtpprotocol.tls.TlsMode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Full STARTTLS sessions per second: connect, EHLO, STARTTLS, a full TLS handshake (no session
 * resumption), EHLO, MAIL, RCPT, DATA of 1 KiB, QUIT. It drives this server (its default TLS
 * engine: OpenSSL when netty-tcnative is on the class path) and SubEthaSMTP (JDK TLS), both in this
 * JVM with the same certificate, one at a time, interleaved over several rounds, with the same
 * client threads.
 *
 * <pre>
 * mvn -B -pl smtp-benchmarks -am package -DskipTests
 * mvn -B -q -pl smtp-benchmarks dependency:build-classpath -Dmdep.outputFile=cp.txt
 * java -cp smtp-benchmarks/target/classes:$(cat smtp-benchmarks/cp.txt) \
 *     io.smtpprotocol.benchmarks.tls.StartTlsLoadDriver --rounds 3 --seconds 10 --clients 8
 * </pre>
 */
public final class StartTlsLoadDriver {

  private static final byte[] BODY = body(1024);

  private StartTlsLoadDriver() {}

  public static void main(String[] args) throws Exception {
    int rounds = option(args, "--rounds", 3);
    int seconds = option(args, "--seconds", 10);
    int clients = option(args, "--clients", 8);
    InetAddress loopback = InetAddress.getLoopbackAddress();

    X509Bundle cert =
        new CertificateBuilder()
            .ecp256()
            .subject("CN=localhost")
            .addSanDnsName("localhost")
            .addSanIpAddress("127.0.0.1")
            .setIsCertificateAuthority(true)
            .buildSelfSigned();
    KeyManagerFactory keys = cert.toKeyManagerFactory();

    SslContext ours = SslContexts.forServer(keys);
    SmtpServer server =
        SmtpServer.builder()
            .domain("bench.test")
            .address(loopback)
            .port(0)
            .limits(Limits.DEFAULTS.withMaxConnections(10_000).withMaxConnectionsPerIp(10_000))
            .tls(TlsMode.STARTTLS, () -> ours)
            .handler(new Sink())
            .build()
            .start();

    SSLContext jdk = SSLContext.getInstance("TLS");
    jdk.init(keys.getKeyManagers(), null, null);
    SMTPServer subetha =
        SMTPServer.port(0)
            .bindAddress(loopback)
            .hostName("bench.test")
            .maxConnections(10_000)
            .enableTLS()
            .startTlsSocketFactory(jdk)
            .messageHandlerFactory((MessageContext ctx) -> new SubethaSink())
            .build();
    subetha.start();

    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, cert.toTrustManagerFactory().getTrustManagers(), null);

    String engine = ours.getClass().getSimpleName().contains("OpenSsl") ? "OpenSSL" : "JDK";
    System.out.printf(
        Locale.ROOT,
        "STARTTLS sessions/s, %d client threads, %d s per run, %d rounds; smtp-protocol TLS engine: %s%n",
        clients,
        seconds,
        rounds,
        engine);
    // warm-up (JIT), not counted
    run(new InetSocketAddress(loopback, server.port()), client, clients, seconds);
    run(new InetSocketAddress(loopback, subetha.getPortAllocated()), client, clients, seconds);

    List<Double> oursRates = new ArrayList<>();
    List<Double> subethaRates = new ArrayList<>();
    List<Double> oursCpu = new ArrayList<>();
    List<Double> subethaCpu = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      boolean oursFirst = round % 2 == 1;
      for (int i = 0; i < 2; i++) {
        boolean isOurs = (i == 0) == oursFirst;
        int port = isOurs ? server.port() : subetha.getPortAllocated();
        Result r = run(new InetSocketAddress(loopback, port), client, clients, seconds);
        (isOurs ? oursRates : subethaRates).add(r.sessionsPerSecond());
        (isOurs ? oursCpu : subethaCpu).add(r.serverCpuMicrosPerSession());
        System.out.printf(
            Locale.ROOT,
            "round %d %-13s %8.1f sessions/s %8.0f µs server CPU/session%n",
            round,
            isOurs ? "smtp-protocol" : "subethasmtp",
            r.sessionsPerSecond(),
            r.serverCpuMicrosPerSession());
      }
    }
    double a = median(oursRates);
    double b = median(subethaRates);
    double ca = median(oursCpu);
    double cb = median(subethaCpu);
    System.out.printf(
        Locale.ROOT,
        "%n| server | sessions/s (median of %d) | ratio | server CPU µs/session | ratio |%n|---|---|---|---|---|%n",
        rounds);
    System.out.printf(
        Locale.ROOT,
        "| smtp-protocol (%s) | %.1f | %.2f | %.0f | %.2f |%n",
        engine,
        a,
        a / b,
        ca,
        ca / cb);
    System.out.printf(Locale.ROOT, "| subethasmtp (JDK) | %.1f | 1.00 | %.0f | 1.00 |%n", b, cb);

    subetha.stop();
    server.close();
  }

  /** What one run measured. */
  private record Result(double sessionsPerSecond, double serverCpuMicrosPerSession) {}

  /**
   * Runs sessions from {@code clients} threads for {@code seconds}. Server CPU is the process's CPU
   * time less the client threads' own (so it includes GC and JIT, alike for both servers).
   */
  private static Result run(InetSocketAddress target, SSLContext tls, int clients, int seconds)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong clientCpu = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    for (int i = 0; i < clients; i++) {
      Thread t =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    session(target, tls.getSocketFactory());
                    done.incrementAndGet();
                  } catch (IOException e) {
                    failed.incrementAndGet();
                  }
                }
                clientCpu.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
              },
              "client-" + i);
      t.start();
      threads.add(t);
    }
    TimeUnit.SECONDS.sleep(seconds);
    stop.set(true);
    for (Thread t : threads) {
      t.join(30_000);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long serverCpu = os.getProcessCpuTime() - cpuStart - clientCpu.get();
    if (failed.get() > 0) {
      System.out.printf(Locale.ROOT, "  (%d failed sessions against %s)%n", failed.get(), target);
    }
    return new Result(done.get() / elapsed, serverCpu / 1e3 / Math.max(1, done.get()));
  }

  /** One full session; throws if any reply is not the expected one. */
  private static void session(InetSocketAddress target, SSLSocketFactory factory)
      throws IOException {
    try (Socket plain = new Socket()) {
      plain.setTcpNoDelay(true);
      plain.setSoTimeout(30_000);
      plain.connect(target, 10_000);
      // Buffered reading is safe: the server sends nothing after its 220 until the handshake.
      InputStream in = new BufferedInputStream(plain.getInputStream());
      OutputStream out = plain.getOutputStream();
      expect(in, 220);
      command(out, in, "EHLO bench.client", 250);
      command(out, in, "STARTTLS", 220);
      SSLSocket tls = (SSLSocket) factory.createSocket(plain, "localhost", target.getPort(), true);
      try {
        tls.setUseClientMode(true);
        tls.startHandshake();
        in = new BufferedInputStream(tls.getInputStream());
        out = new BufferedOutputStream(tls.getOutputStream());
        command(out, in, "EHLO bench.client", 250);
        command(out, in, "MAIL FROM:<bench@example.com>", 250);
        command(out, in, "RCPT TO:<sink@example.com>", 250);
        command(out, in, "DATA", 354);
        out.write(BODY);
        command(out, in, ".", 250);
        command(out, in, "QUIT", 221);
      } finally {
        tls.getSession().invalidate(); // the next session does a full handshake
        tls.close();
      }
    }
  }

  private static void command(OutputStream out, InputStream in, String line, int code)
      throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    expect(in, code);
  }

  /** Reads one reply, multi-line included, and checks its code. */
  private static void expect(InputStream in, int code) throws IOException {
    while (true) {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new IOException("connection closed, expected " + code);
        }
        line.append((char) b);
      }
      if (line.length() < 4 || Integer.parseInt(line.substring(0, 3)) != code) {
        throw new IOException("expected " + code + ", got " + line);
      }
      if (line.charAt(3) == ' ') {
        return;
      }
    }
  }

  private static byte[] body(int size) {
    StringBuilder sb = new StringBuilder("Subject: bench\r\n\r\n");
    while (sb.length() < size) {
      sb.append("X".repeat(78)).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static int option(String[] args, String name, int defaultValue) {
    int i = Arrays.asList(args).indexOf(name);
    return i >= 0 && i + 1 < args.length ? Integer.parseInt(args[i + 1]) : defaultValue;
  }

  /** Reads and discards each body. */
  private static final class Sink implements SmtpHandler {
    @Override
    public CompletionStage<Decision> message(
        SessionInfo session, Envelope envelope, MessageBody body) {
      try {
        body.transferTo(OutputStream.nullOutputStream());
        return Decision.acceptStage();
      } catch (IOException e) {
        return Decision.reject(451, "4.3.0", "body failed").asStage();
      }
    }
  }

  /** SubEthaSMTP's side of the sink. */
  private static final class SubethaSink implements MessageHandler {
    @Override
    public void from(String from) {}

    @Override
    public void recipient(String recipient) {}

    @Override
    public @org.jspecify.annotations.Nullable String data(InputStream data) throws IOException {
      data.transferTo(OutputStream.nullOutputStream());
      return null;
    }

    @Override
    public void done() {}
  }
}
