package io.smtpprotocol.spring;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/** A scripted SMTP client on a raw socket: send a line, read the reply. */
public final class SmtpTestClient implements AutoCloseable {

  /** A reply as read from the wire. */
  public record WireReply(int code, List<String> lines) {
    /** The last line's text, after the code. */
    public String last() {
      return lines.get(lines.size() - 1);
    }

    @Override
    public String toString() {
      return code + " " + String.join(" | ", lines);
    }
  }

  private final int port;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  private SmtpTestClient(Socket socket, int port) throws IOException {
    this.port = port;
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects to 127.0.0.1 without reading the greeting. */
  public static SmtpTestClient connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    return new SmtpTestClient(socket, port);
  }

  /** Connects with TLS from the first octet (implicit TLS), handshakes, without reading. */
  public static SmtpTestClient connectTls(int port, SSLContext tls) throws IOException {
    SmtpTestClient c = connect(port);
    c.handshake(tls);
    return c;
  }

  /**
   * Sends STARTTLS, which must be answered 220, and handshakes.
   *
   * @param protocols the protocols to offer; the context's defaults when none
   */
  public SmtpTestClient startTls(SSLContext tls, String... protocols) throws IOException {
    WireReply reply = command("STARTTLS");
    if (reply.code() != 220) {
      throw new IOException("expected 220 to STARTTLS, got " + reply);
    }
    handshake(tls, protocols);
    return this;
  }

  private void handshake(SSLContext tls, String... protocols) throws IOException {
    SSLSocket ssl =
        (SSLSocket) tls.getSocketFactory().createSocket(socket, "localhost", port, true);
    ssl.setUseClientMode(true);
    if (protocols.length > 0) {
      ssl.setEnabledProtocols(protocols);
    }
    ssl.setSoTimeout(10_000);
    ssl.startHandshake();
    socket = ssl;
    in = ssl.getInputStream();
    out = ssl.getOutputStream();
  }

  /** The TLS session, once TLS is on. */
  public SSLSession tlsSession() {
    if (!(socket instanceof SSLSocket ssl)) {
      throw new IllegalStateException("no TLS on this connection");
    }
    return ssl.getSession();
  }

  /** Connects, reads the greeting (which must be 220) and sends EHLO. */
  public static SmtpTestClient greeted(int port) throws IOException {
    SmtpTestClient c = connect(port);
    WireReply greeting = c.reply();
    if (greeting.code() != 220) {
      c.close();
      throw new IOException("expected a 220 greeting, got " + greeting);
    }
    WireReply ehlo = c.command("EHLO client.test");
    if (ehlo.code() != 250) {
      c.close();
      throw new IOException("expected 250 to EHLO, got " + ehlo);
    }
    return c;
  }

  /** Sends text as is; the caller writes the CRLFs. */
  public SmtpTestClient send(String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return this;
  }

  /** Sends a line with CRLF and reads the reply. */
  public WireReply command(String line) throws IOException {
    send(line + "\r\n");
    return reply();
  }

  /** MAIL, RCPT, DATA and the body; returns the reply to the body. */
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

  /** Reads one reply, multi-line included. */
  public WireReply reply() throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = readLine();
      if (line == null) {
        throw new IOException("connection closed while reading a reply; got " + lines);
      }
      int code = Integer.parseInt(line.substring(0, 3));
      boolean more = line.length() > 3 && line.charAt(3) == '-';
      lines.add(line.length() > 4 ? line.substring(4) : "");
      if (!more) {
        return new WireReply(code, lines);
      }
    }
  }

  private String readLine() throws IOException {
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

  /** Whether the server closed the connection (end of stream or reset within the timeout). */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
