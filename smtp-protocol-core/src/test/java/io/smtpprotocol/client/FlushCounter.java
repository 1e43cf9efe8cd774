package io.smtpprotocol.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Records what each flush of a channel writes: first in its pipeline, it sees every write. */
final class FlushCounter extends ChannelDuplexHandler {
  final List<String> lines = new CopyOnWriteArrayList<>();
  private final StringBuilder current = new StringBuilder();

  /**
   * A channel of the test's own, connected to {@code port} with this counter first in its pipeline
   * and reading off, for {@link SmtpClient#connect(Channel)}; its event loops close with {@code
   * closing}.
   */
  Channel connect(int port, Closer closing) {
    return connect(port, closing, WriteBufferWaterMark.DEFAULT, 0);
  }

  /** As {@link #connect(int, Closer)}, with these water marks and send buffer (0: the default). */
  Channel connect(int port, Closer closing, WriteBufferWaterMark marks, int sendBuffer) {
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    closing.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, marks)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(FlushCounter.this);
                  }
                });
    if (sendBuffer > 0) {
      bootstrap.option(ChannelOption.SO_SNDBUF, sendBuffer);
    }
    return bootstrap.connect("127.0.0.1", port).syncUninterruptibly().channel();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf) {
      current.append(buf.toString(StandardCharsets.UTF_8));
    }
    ctx.write(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (current.length() > 0) {
      lines.add(current.toString());
      current.setLength(0);
    }
    ctx.flush();
  }
}
