package io.smtpprotocol.testing;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * A scripted SMTP client on a raw socket to {@code 127.0.0.1} (or a Unix domain socket): send bytes
 * or a line, read replies as they are on the wire. For what a mail library hides: malformed input,
 * pipelining, smuggling, TLS steps. Reads time out after ten seconds unless told otherwise.
 *
 * <p>Shared with the other modules through this module's test jar.
 */
public final class RawClient implements AutoCloseable {

  /** A reply as read from the wire: its code and the text of each line, after the code. */
  public record WireReply(int code, List<String> lines) {

    /** The last line's text. */
    public String last() {
      return lines.get(lines.size() - 1);
    }

    /** The lines' text, joined with {@code \n}. */
    public String text() {
      return String.join("\n", lines);
    }

    /** The first line with its code, for example {@code "250 2.1.0 Sender ok"}. */
    public String line() {
      return code + " " + lines.get(0);
    }

    @Override
    public String toString() {
      return code + " " + String.join(" | ", lines);
    }
  }

  private static final int TIMEOUT_MILLIS = 10_000;

  private @Nullable Socket socket;
  private Closeable connection;
  private InputStream in;
  private OutputStream out;

  /** Connects without reading anything. */
  public RawClient(int port) throws IOException {
    this(port, TIMEOUT_MILLIS);
  }

  /** Connects, with this connect and read timeout, without reading anything. */
  public RawClient(int port, int timeoutMillis) throws IOException {
    this(port, timeoutMillis, null);
  }

  /** Connects from the given local loopback address (127.0.0.2, ...) when not null. */
  public RawClient(int port, int timeoutMillis, @Nullable InetAddress localAddress)
      throws IOException {
    Socket s = new Socket();
    if (localAddress != null) {
      s.bind(new InetSocketAddress(localAddress, 0));
    }
    s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
    s.setSoTimeout(timeoutMillis);
    s.setTcpNoDelay(true);
    socket = s;
    connection = s;
    in = s.getInputStream();
    out = s.getOutputStream();
  }

  private RawClient(SocketChannel channel) {
    socket = null;
    connection = channel;
    in = Channels.newInputStream(channel);
    out = Channels.newOutputStream(channel);
  }

  /**
   * Connects to a Unix domain socket. Reads have no timeout there: bound the test with
   * {@code @Timeout}.
   */
  public static RawClient unix(Path path) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(path));
    return new RawClient(channel);
  }

  /** Connects and reads the greeting, which must be 220. */
  public static RawClient greeted(int port) throws IOException {
    RawClient c = new RawClient(port);
    WireReply greeting = c.reply();
    if (greeting.code() != 220) {
      c.close();
      throw new IOException("expected a 220 greeting, got " + greeting);
    }
    return c;
  }

  /** Connects, reads the greeting (which must be 220) and sends EHLO (which must be 250). */
  public static RawClient afterEhlo(int port) throws IOException {
    RawClient c = greeted(port);
    try {
      c.ehlo();
    } catch (IOException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Sends {@code EHLO client.test} and checks the 250 reply. */
  public WireReply ehlo() throws IOException {
    WireReply r = command("EHLO client.test");
    if (r.code() != 250) {
      throw new IOException("expected 250 to EHLO, got " + r);
    }
    return r;
  }

  /**
   * Layers TLS over the connection now and completes the handshake: after the server's 220 to
   * STARTTLS, or at once for implicit TLS. Nothing the server sent in plaintext after its last
   * reply is read any more.
   *
   * @param protocols the protocols to offer; the context's defaults when none
   */
  public RawClient handshake(SSLContext context, String... protocols) throws IOException {
    Socket plain = socket();
    SSLSocket tls =
        (SSLSocket)
            context.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
    tls.setUseClientMode(true);
    if (protocols.length > 0) {
      tls.setEnabledProtocols(protocols);
    }
    tls.setSoTimeout(plain.getSoTimeout());
    tls.startHandshake();
    socket = tls;
    connection = tls;
    in = tls.getInputStream();
    out = tls.getOutputStream();
    return this;
  }

  /** Sends STARTTLS, which must be answered 220, then {@linkplain #handshake handshakes}. */
  public RawClient startTlsAndHandshake(SSLContext context, String... protocols)
      throws IOException {
    WireReply reply = command("STARTTLS");
    if (reply.code() != 220) {
      throw new IOException("expected 220 to STARTTLS, got " + reply);
    }
    return handshake(context, protocols);
  }

  /** The TLS session, once TLS is on. */
  public SSLSession tlsSession() {
    if (!(socket instanceof SSLSocket tls)) {
      throw new IllegalStateException("no TLS on this connection");
    }
    return tls.getSession();
  }

  /** This end's address, as the server sees the client. */
  public SocketAddress localAddress() {
    return socket().getLocalSocketAddress();
  }

  /** Sends text as it is (UTF-8); the caller writes the CRLFs. */
  public RawClient send(String raw) throws IOException {
    return sendBytes(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends bytes as they are. */
  public RawClient sendBytes(byte[] raw) throws IOException {
    out.write(raw);
    out.flush();
    return this;
  }

  /** Sends a line with CRLF and reads the reply. */
  public WireReply command(String line) throws IOException {
    send(line + "\r\n");
    return reply();
  }

  /** MAIL, RCPT and DATA (which must be answered 250, 250, 354), then the body and the dot. */
  public WireReply mail(String from, String to, String body) throws IOException {
    expect(command("MAIL FROM:<" + from + ">"), 250);
    expect(command("RCPT TO:<" + to + ">"), 250);
    expect(command("DATA"), 354);
    return command(body + "\r\n.");
  }

  private static void expect(WireReply reply, int code) throws IOException {
    if (reply.code() != code) {
      throw new IOException("expected " + code + ", got " + reply);
    }
  }

  /** Reads {@code n} replies. */
  public List<WireReply> replies(int n) throws IOException {
    List<WireReply> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(reply());
    }
    return list;
  }

  /** Reads one reply, multi-line included. */
  public WireReply reply() throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = readLine();
      if (line == null) {
        throw new IOException("connection closed while reading a reply; got " + lines);
      }
      if (line.length() < 3) {
        throw new IOException("malformed reply line: " + line);
      }
      int code = Integer.parseInt(line.substring(0, 3));
      boolean more = line.length() > 3 && line.charAt(3) == '-';
      lines.add(line.length() > 4 ? line.substring(4) : "");
      if (!more) {
        return new WireReply(code, lines);
      }
    }
  }

  /** Reads a CRLF-terminated line, without the CRLF; null at the end of the stream. */
  public @Nullable String readLine() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
      }
      if (b == '\n' && prev == '\r') {
        byte[] bytes = buf.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      buf.write(b);
      prev = b;
    }
  }

  /** Whether the server closed the connection (end of stream or reset within the read timeout). */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // connection reset
    }
  }

  /** Whether nothing at all arrives within {@code millis}. */
  public boolean silentFor(int millis) throws IOException {
    Socket socket = socket();
    int old = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      int b = in.read();
      if (b >= 0) {
        throw new IOException("unexpected input: " + (char) b + readLine());
      }
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } finally {
      socket.setSoTimeout(old);
    }
  }

  private Socket socket() {
    if (socket == null) {
      throw new IllegalStateException("not a TCP connection");
    }
    return socket;
  }

  @Override
  public void close() throws IOException {
    connection.close();
  }
}
