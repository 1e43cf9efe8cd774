package io.smtpprotocol.server;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
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

/** A scripted SMTP client on a raw socket, for malformed input, pipelining and smuggling tests. */
final class RawClient implements AutoCloseable {

  /** A reply as read from the wire. */
  record WireReply(int code, List<String> lines) {
    String last() {
      return lines.get(lines.size() - 1);
    }

    String text() {
      return String.join("\n", lines);
    }

    /** The first line as it was on the wire, for example {@code "250 2.1.0 Sender ok"}. */
    String line() {
      return code + " " + lines.get(0);
    }
  }

  private @Nullable Socket socket;
  private Closeable connection;
  private InputStream in;
  private OutputStream out;

  RawClient(int port) throws IOException {
    this(port, 10_000);
  }

  RawClient(int port, int timeoutMillis) throws IOException {
    this(port, timeoutMillis, null);
  }

  /** Connects to 127.0.0.1 from the given local loopback address (127.0.0.2, ...). */
  RawClient(int port, int timeoutMillis, @Nullable InetAddress localAddress) throws IOException {
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
  static RawClient unix(Path path) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(path));
    return new RawClient(channel);
  }

  private Socket socket() {
    if (socket == null) {
      throw new IllegalStateException("not a TCP connection");
    }
    return socket;
  }

  /** Connects and reads the greeting, which must be 220. */
  static RawClient greeted(int port) throws IOException {
    RawClient c = new RawClient(port);
    WireReply greeting = c.reply();
    if (greeting.code() != 220) {
      c.close();
      throw new IOException("expected 220 greeting, got " + greeting);
    }
    return c;
  }

  /** Sends EHLO and checks the 250 reply. */
  WireReply ehlo() throws IOException {
    WireReply r = command("EHLO client.test");
    if (r.code() != 250) {
      throw new IOException("EHLO refused: " + r);
    }
    return r;
  }

  /** Reads {@code n} replies. */
  List<WireReply> replies(int n) throws IOException {
    List<WireReply> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(reply());
    }
    return list;
  }

  /**
   * Layers TLS over the connection (after the server's {@code 220} to STARTTLS, or at once for
   * implicit TLS) and completes the handshake. Nothing the server sent in plaintext after its
   * last reply is read any more.
   */
  RawClient startTls(SSLContext context) throws IOException {
    Socket plain = socket();
    SSLSocket tls =
        (SSLSocket)
            context.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
    tls.setUseClientMode(true);
    tls.setSoTimeout(plain.getSoTimeout());
    tls.startHandshake();
    socket = tls;
    connection = tls;
    in = tls.getInputStream();
    out = tls.getOutputStream();
    return this;
  }

  /** The TLS session, once {@link #startTls} is done. */
  SSLSession tlsSession() {
    if (!(socket instanceof SSLSocket tls)) {
      throw new IllegalStateException("TLS not started");
    }
    return tls.getSession();
  }

  /** Sends text as is (UTF-8); the caller writes the CRLFs. */
  RawClient send(String raw) throws IOException {
    return sendBytes(raw.getBytes(StandardCharsets.UTF_8));
  }

  RawClient sendBytes(byte[] raw) throws IOException {
    out.write(raw);
    out.flush();
    return this;
  }

  /** Sends a line with CRLF and reads the reply. */
  WireReply command(String line) throws IOException {
    send(line + "\r\n");
    return reply();
  }

  /** Reads one reply, multi-line included. */
  WireReply reply() throws IOException {
    List<String> lines = new ArrayList<>();
    int code;
    while (true) {
      String line = readLine();
      if (line == null) {
        throw new IOException("connection closed while reading a reply; got " + lines);
      }
      if (line.length() < 3) {
        throw new IOException("malformed reply line: " + line);
      }
      code = Integer.parseInt(line.substring(0, 3));
      boolean more = line.length() > 3 && line.charAt(3) == '-';
      lines.add(line.length() > 4 ? line.substring(4) : "");
      if (!more) {
        return new WireReply(code, lines);
      }
    }
  }

  /** Reads a CRLF-terminated line; null at end of stream. */
  String readLine() throws IOException {
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

  /** Whether the server closed the connection (end of stream within the socket timeout). */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // connection reset
    }
  }

  /** Whether nothing at all arrives within {@code millis}. */
  boolean silentFor(int millis) throws IOException {
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

  @Override
  public void close() throws IOException {
    connection.close();
  }
}
