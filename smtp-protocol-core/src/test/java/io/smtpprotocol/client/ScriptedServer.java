package io.smtpprotocol.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A server that follows a script on a blocking socket, for the faults our own server never makes:
 * silence, drops, malformed and injected replies.
 */
final class ScriptedServer implements AutoCloseable {

  interface Script {
    void run(Peer peer) throws Exception;
  }

  /** One accepted connection. */
  static final class Peer {
    Socket socket;
    private BufferedReader in;
    private OutputStream out;
    final List<String> received;

    Peer(Socket socket, List<String> received) throws IOException {
      this.received = received;
      use(socket);
    }

    private void use(Socket s) throws IOException {
      socket = s;
      s.setSoTimeout(10_000);
      in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      out = s.getOutputStream();
    }

    /**
     * Plays a pipelining server up to the content: greets, offers PIPELINING, takes MAIL, RCPT and
     * DATA and answers them 250, 250, 354 at once.
     */
    void acceptUpToContent() throws IOException {
      send("220 scripted.test ESMTP\r\n");
      expect("EHLO");
      send(ScriptedServer.ehlo("PIPELINING"));
      expect("MAIL");
      expect("RCPT");
      expect("DATA");
      send("250 ok\r\n250 ok\r\n354 go on\r\n");
    }

    /** Writes raw text (CRLF not added). */
    void send(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Reads one line, or null at end of stream. */
    String read() throws IOException {
      String line = in.readLine();
      if (line != null) {
        received.add(line);
      }
      return line;
    }

    /** Reads a line and checks that it starts with {@code prefix}. */
    String expect(String prefix) throws IOException {
      String line = read();
      if (line == null || !line.toUpperCase().startsWith(prefix.toUpperCase())) {
        throw new IllegalStateException("expected " + prefix + " but got " + line);
      }
      return line;
    }

    /** Server side of a TLS handshake over the same socket. */
    void startTls(SSLContext context) throws IOException {
      SSLSocket tls =
          (SSLSocket)
              context
                  .getSocketFactory()
                  .createSocket(
                      socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
      tls.setUseClientMode(false);
      tls.startHandshake();
      use(tls);
    }
  }

  private final ServerSocket listener;
  private final Thread thread;
  final List<String> received = new CopyOnWriteArrayList<>();
  final AtomicReference<Throwable> failure = new AtomicReference<>();

  ScriptedServer(Script script) throws IOException {
    this(script, 0);
  }

  /**
   * With this socket receive buffer (0: the system's), so that a server that stops reading stops
   * the client soon.
   */
  ScriptedServer(Script script, int receiveBuffer) throws IOException {
    listener = new ServerSocket();
    if (receiveBuffer > 0) {
      listener.setReceiveBufferSize(receiveBuffer);
    }
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
    thread =
        new Thread(
            () -> {
              try (Socket s = listener.accept()) {
                script.run(new Peer(s, received));
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "scripted-smtp");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Waits for the script to end. */
  void join() throws InterruptedException {
    thread.join(10_000);
    if (thread.isAlive()) {
      throw new AssertionError("script did not finish");
    }
  }

  @Override
  public void close() throws Exception {
    listener.close();
    thread.join(10_000);
  }

  /** The EHLO reply lines of a small ESMTP server. */
  static String ehlo(String... keywords) {
    StringBuilder sb = new StringBuilder("250-scripted.test\r\n");
    for (int i = 0; i < keywords.length; i++) {
      sb.append(i == keywords.length - 1 ? "250 " : "250-").append(keywords[i]).append("\r\n");
    }
    if (keywords.length == 0) {
      return "250 scripted.test\r\n";
    }
    return sb.toString();
  }
}
