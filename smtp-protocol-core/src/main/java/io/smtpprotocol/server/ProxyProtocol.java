package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol (HAProxy's, v1 text and v2 binary, told apart by Netty's {@link
 * HAProxyMessageDecoder}) on a listener: every connection must come from a trusted proxy and begin
 * with a header, which names the client. Only then is the session set up, with the client's address
 * as its remote address, so that connection limits, the AUTH failure table, {@code SessionInfo},
 * the handler, metrics and the transcript all see the client and not the proxy.
 *
 * <p>A connection from any other peer, or without a header, with a malformed, truncated or
 * over-long one, or with one not complete within the timeout, is closed without a word. A {@code
 * LOCAL} (v2) or {@code UNKNOWN} (v1) header keeps the socket's own address, as do headers for
 * other than TCP over IPv4 or IPv6. Input after the header is the session's first input.
 */
final class ProxyProtocol {

  private static final Logger log = LoggerFactory.getLogger(ProxyProtocol.class);

  /** The client a header named, on the channel, for {@link #remoteAddress(Channel)}. */
  private static final AttributeKey<InetSocketAddress> CLIENT =
      AttributeKey.valueOf(ProxyProtocol.class, "client");

  /** TLV octets a v2 header may carry beyond its addresses; more is refused as over-long. */
  static final int MAX_TLV_SIZE = 4096;

  /** How a header begins: v1 text, and the v2 signature. */
  private static final byte[] V1_START = {'P', 'R', 'O', 'X', 'Y', ' '};

  private static final byte[] V2_START = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  private final TrustedAddresses trusted;
  private final Duration timeout;
  private final LongAdder refused = new LongAdder();

  ProxyProtocol(TrustedAddresses trusted, Duration timeout) {
    if (trusted.isEmpty()) {
      throw new IllegalArgumentException("the PROXY protocol needs at least one trusted proxy");
    }
    this.trusted = trusted;
    this.timeout = timeout;
  }

  /**
   * Sets up a new connection to read the header first; {@code session} sets up the session once the
   * header is in.
   */
  void expectHeader(Channel ch, Consumer<Channel> session) {
    ch.pipeline()
        .addLast("proxy-decoder", new Decoder())
        .addLast("proxy", new HeaderHandler(session));
  }

  /**
   * Connections refused: from an untrusted peer, or with no header, a malformed, over-long or
   * truncated one, or one not complete in time (a peer that hangs up first is not counted).
   */
  long refused() {
    return refused.sum();
  }

  /** The client's address: the one a PROXY header named, else the socket's peer. */
  static @Nullable SocketAddress remoteAddress(Channel ch) {
    InetSocketAddress client = ch.attr(CLIENT).get();
    return client != null ? client : ch.remoteAddress();
  }

  /** The client a header names, or null when the socket's own address stands. */
  static @Nullable InetSocketAddress client(HAProxyMessage header) {
    HAProxyProxiedProtocol protocol = header.proxiedProtocol();
    if (header.command() != HAProxyCommand.PROXY
        || protocol != HAProxyProxiedProtocol.TCP4 && protocol != HAProxyProxiedProtocol.TCP6) {
      return null;
    }
    String source = header.sourceAddress();
    InetAddress address =
        source == null ? null : NetUtil.createInetAddressFromIpAddressString(source);
    return address == null ? null : new InetSocketAddress(address, header.sourcePort());
  }

  /**
   * Netty's decoder, which takes anything of 13 octets or more that is not the v2 signature for a
   * v1 line: this one also refuses at once the first octet that cannot begin a header, so that a
   * plain SMTP client is not left waiting for the timeout.
   */
  private static final class Decoder extends HAProxyMessageDecoder {
    private int checked;
    private byte @Nullable [] start;
    private boolean refused;

    Decoder() {
      super(MAX_TLV_SIZE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (refused || checked < V2_START.length && msg instanceof ByteBuf in && !startsRight(in)) {
        ReferenceCountUtil.release(msg);
        if (!refused) {
          refused = true;
          throw new HAProxyProtocolException("not a PROXY protocol header");
        }
        return;
      }
      super.channelRead(ctx, msg);
    }

    private boolean startsRight(ByteBuf in) {
      for (int i = in.readerIndex(); i < in.writerIndex() && checked < V2_START.length; i++) {
        byte b = in.getByte(i);
        if (start == null) {
          start = b == V1_START[0] ? V1_START : V2_START;
        }
        if (checked < start.length && b != start[checked]) {
          return false;
        }
        checked++;
      }
      return true;
    }
  }

  /** Admits the peer, waits for the header and then hands the connection to the session. */
  private final class HeaderHandler extends ChannelInboundHandlerAdapter {
    private final Consumer<Channel> session;
    private @Nullable ScheduledFuture<?> timer;
    private boolean done;

    HeaderHandler(Consumer<Channel> session) {
      this.session = session;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (!trusted.contains(ctx.channel().remoteAddress())) {
        refuse(ctx, "not a trusted proxy");
        return;
      }
      timer =
          ctx.executor()
              .schedule(
                  () -> refuse(ctx, "no complete header within " + timeout),
                  timeout.toNanos(),
                  TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof HAProxyMessage header)) {
        ctx.fireChannelRead(msg); // input after the header, once the session is set up
        return;
      }
      InetSocketAddress client;
      try {
        client = client(header);
      } finally {
        header.release();
      }
      if (done) {
        return;
      }
      done = true;
      SessionTimers.cancel(timer);
      if (client != null) {
        ctx.channel().attr(CLIENT).set(client);
      }
      if (log.isDebugEnabled()) {
        log.debug(
            "PROXY header from {}: client {}",
            ctx.channel().remoteAddress(),
            client != null ? client : "not named, the proxy itself");
      }
      // The session's handlers go after this one; the rest of the input follows them when
      // Netty's decoder, done with the header, leaves the pipeline.
      session.accept(ctx.channel());
      ctx.fireChannelActive();
      ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Throwable reason = cause.getCause() instanceof HAProxyProtocolException p ? p : cause;
      if (reason instanceof HAProxyProtocolException) {
        refuse(ctx, reason.getMessage());
      } else if (!done) {
        done = true;
        log.debug(
            "connection from {} failed before its PROXY header",
            ctx.channel().remoteAddress(),
            cause);
        ctx.close();
      } else {
        ctx.fireExceptionCaught(cause);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      SessionTimers.cancel(timer);
      if (!done) {
        done = true; // a health check, say: not counted as refused
        log.debug(
            "connection from {} closed before its PROXY header", ctx.channel().remoteAddress());
      }
      ctx.fireChannelInactive();
    }

    private void refuse(ChannelHandlerContext ctx, @Nullable String why) {
      SessionTimers.cancel(timer);
      if (!done) {
        done = true;
        refused.increment();
        log.debug("PROXY header refused from {}: {}", ctx.channel().remoteAddress(), why);
      }
      ctx.close();
    }
  }
}
