import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory a server holds for clients that pipeline commands and never read the replies.
 *
 * <p>Opens {@code connections} connections to an SMTP server on loopback, each writing a pipelined
 * command ({@code EHLO x} by default) as fast as the socket takes it for {@code seconds}, never
 * reading. Meanwhile it samples the server's resident memory from {@code /proc/PID/status} every
 * second and checks once a second that a fresh client is still greeted and answered. Prints the
 * server's RSS before, at its peak, and five seconds after the attackers left, and how much the
 * attackers managed to send.
 *
 * <pre>
 * java smtp-benchmarks/bench/NonReadingClients.java PORT PID [connections=20] [seconds=30] [command="EHLO x"]
 * </pre>
 */
public class NonReadingClients {

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: NonReadingClients PORT PID [connections] [seconds] [command]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    long pid = Long.parseLong(args[1]);
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    String command = (args.length > 4 ? args[4] : "EHLO x") + "\r\n";
    if (connections < 1 || connections > 1000 || seconds < 1 || seconds > 600) {
      throw new IllegalArgumentException("1..1000 connections, 1..600 seconds");
    }
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);

    long before = rssKiB(pid);
    byte[] block = command.repeat(Math.max(1, 16384 / command.length())).getBytes(StandardCharsets.US_ASCII);
    List<SocketChannel> attackers = new ArrayList<>();
    long sent = 0;
    long peak = before;
    int probes = 0;
    int probesServed = 0;
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < connections; i++) {
        SocketChannel ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        ch.connect(server);
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_WRITE, ByteBuffer.wrap(block));
        attackers.add(ch);
      }
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      long nextSample = start;
      while (System.nanoTime() < end) {
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
          ByteBuffer buf = (ByteBuffer) key.attachment();
          if (!buf.hasRemaining()) {
            buf.rewind();
          }
          try {
            sent += ((SocketChannel) key.channel()).write(buf);
          } catch (IOException e) {
            key.cancel(); // closed by the server
          }
        }
        selector.selectedKeys().clear();
        if (System.nanoTime() >= nextSample) {
          nextSample += 1_000_000_000L;
          peak = Math.max(peak, rssKiB(pid));
          probes++;
          if (probe(server)) {
            probesServed++;
          }
        }
      }
      peak = Math.max(peak, rssKiB(pid));
    } finally {
      for (SocketChannel ch : attackers) {
        ch.close();
      }
    }
    Thread.sleep(5000);
    long after = rssKiB(pid);
    System.out.printf(
        "connections=%d seconds=%d command=%s%n"
            + "server RSS before: %,d KiB, peak: %,d KiB (growth %,d KiB = %.1f MiB), 5 s after: %,d KiB%n"
            + "attackers sent: %,d octets; fresh clients served during the attack: %d of %d%n",
        connections,
        seconds,
        command.strip(),
        before,
        peak,
        peak - before,
        (peak - before) / 1024.0,
        after,
        sent,
        probesServed,
        probes);
  }

  /** Whether a new client is greeted and its EHLO and QUIT answered within 5 seconds. */
  private static boolean probe(InetSocketAddress server) {
    try (Socket s = new Socket()) {
      s.connect(server, 5000);
      s.setSoTimeout(5000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      if (!in.readLine().startsWith("220")) {
        return false;
      }
      out.write("EHLO probe\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("221")) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private static long rssKiB(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for process " + pid);
  }
}
