package io.smtpprotocol.test;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A byte-for-byte TCP relay in front of the engine, so that the test server can drop a client's
 * connection at a scripted moment: the engine offers its handler no way to close a connection, but
 * the handler knows the address the relay connected from, and the relay closes the client's side of
 * that pair.
 *
 * <p>It reads from one side only when the last read was written to the other, so it holds at most
 * one read buffer per direction and connection; the engine's back-pressure reaches the client. TLS
 * passes through untouched (the engine terminates it).
 */
final class Relay {

  private final InetSocketAddress backend;
  private final EventLoopGroup group;
  private final Map<Integer, Channel> clientsByBackendPort = new ConcurrentHashMap<>();
  private final Channel listener;

  Relay(InetAddress address, int port, InetSocketAddress backend) {
    this.backend = backend;
    this.group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("smtp-test-relay", true), NioIoHandler.newFactory());
    try {
      this.listener =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.AUTO_READ, false)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline().addLast(new ClientSide());
                    }
                  })
              .bind(address, port)
              .syncUninterruptibly()
              .channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /**
   * Closes the client connection whose relayed side comes from {@code engineClient} (a session's
   * remote address as the engine sees it). Returns whether there was one.
   */
  boolean drop(SocketAddress engineClient) {
    if (!(engineClient instanceof InetSocketAddress address)) {
      return false;
    }
    Channel client = clientsByBackendPort.get(address.getPort());
    if (client == null) {
      return false;
    }
    client.close().syncUninterruptibly();
    return true;
  }

  /**
   * The address of the client whose connection the engine sees as coming from {@code engineClient},
   * if it is still connected.
   */
  Optional<SocketAddress> clientOf(SocketAddress engineClient) {
    if (!(engineClient instanceof InetSocketAddress address)) {
      return Optional.empty();
    }
    Channel client = clientsByBackendPort.get(address.getPort());
    return client == null ? Optional.empty() : Optional.ofNullable(client.remoteAddress());
  }

  void close() {
    listener.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static void closeOnFlush(@Nullable Channel ch) {
    if (ch != null && ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Forwards what arrives to {@code peer}, reading the next buffer only once that is written. */
  private static void forward(ChannelHandlerContext ctx, @Nullable Channel peer, Object msg) {
    if (peer == null || !peer.isActive()) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    peer.writeAndFlush(msg)
        .addListener(
            (ChannelFuture f) -> {
              if (f.isSuccess()) {
                ctx.channel().read();
              } else {
                f.channel().close();
                ctx.close();
              }
            });
  }

  private final class ClientSide extends ChannelInboundHandlerAdapter {
    private @Nullable Channel engine;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel client = ctx.channel();
      new Bootstrap()
          .group(client.eventLoop())
          .channel(NioSocketChannel.class)
          .option(ChannelOption.AUTO_READ, false)
          .handler(new EngineSide(client))
          .connect(backend)
          .addListener(
              (ChannelFuture f) -> {
                if (!f.isSuccess()) {
                  client.close();
                  return;
                }
                Channel ch = f.channel();
                engine = ch;
                int port = ((InetSocketAddress) ch.localAddress()).getPort();
                clientsByBackendPort.put(port, client);
                ch.closeFuture().addListener(c -> clientsByBackendPort.remove(port, client));
                if (!client.isActive()) {
                  ch.close();
                  return;
                }
                ch.read();
                client.read();
              });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      forward(ctx, engine, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeOnFlush(engine);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static final class EngineSide extends ChannelInboundHandlerAdapter {
    private final Channel client;

    EngineSide(Channel client) {
      this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      forward(ctx, client, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeOnFlush(client);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
