package io.streamrec.serving.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP/1.1 on Netty, hardened against slow and hostile clients; knows nothing of the API's routes.
 *
 * <p>Network threads (event loops) only parse and write; every complete request runs on the {@code workers} pool
 * (full pool: 503 {@code overloaded}, never a blocked event loop). Per connection, one request at a time: while it
 * is handled the connection stops reading (pipelined requests wait in the socket), so memory per connection is one
 * request. Deadlines, all measured on the event loop:
 * <ul>
 *   <li>header timeout: from a request's first byte until its head is complete;</li>
 *   <li>body timeout: from the end of the head until the end of the body (a body shorter than its
 *       Content-Length stalls here);</li>
 *   <li>idle timeout: a kept-alive connection between requests.</li>
 * </ul>
 * A request that misses its deadline gets 408 {@code request_timeout} and its connection is closed; an idle one is
 * closed silently. Beyond {@code maxConnections} open connections a new one is closed as soon as it is accepted.
 * Request line and header block are bounded (414, 431), bodies too (413, read up to a bounded amount more so that
 * the client sees the answer rather than a reset; before a {@code 100 Continue} when Content-Length says so). Every answer the server itself gives is in the API's JSON error
 * format ({@link ErrorMapper}).
 *
 * <p>Thread-safe start/close.
 */
final class NettyServer implements AutoCloseable {

    /** What a complete request hands to the application: method, request target as sent, headers, body. */
    record Request(String method, String target, HttpHeaders headers, byte[] body) {}

    /** An answer: status, content type, body; {@code allow} is the Allow header of a 405 (else null). */
    record Reply(int status, String contentType, byte[] body, String allow) {
        static Reply json(int status, byte[] body) {
            return new Reply(status, "application/json", body, null);
        }
    }

    /** The application: called on a worker thread, must not throw. */
    interface Handler {
        Reply handle(Request request);

        /** Called (on a network thread) for an answer the server gave itself: 408, 413, 414, 431, 400, 503. */
        void answeredByServer(int status);
    }

    private static final String JSON = "application/json";

    private final Handler handler;
    private final ExecutorService workers;
    private final int maxConnections;
    private final long headerTimeoutNs;
    private final long bodyTimeoutNs;
    private final long idleTimeoutNs;
    private final int maxHeaderBytes;
    private final int maxBody;
    private final AtomicInteger open = new AtomicInteger();
    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final String host;
    private final int requestedPort;
    private Channel server;

    NettyServer(String host, int port, int ioThreads, int maxConnections, Duration headerTimeout, Duration bodyTimeout,
                Duration idleTimeout, int maxHeaderBytes, int maxBody, ExecutorService workers, Handler handler) {
        this.host = host;
        this.requestedPort = port;
        this.handler = handler;
        this.workers = workers;
        this.maxConnections = maxConnections;
        this.headerTimeoutNs = headerTimeout.toNanos();
        this.bodyTimeoutNs = bodyTimeout.toNanos();
        this.idleTimeoutNs = idleTimeout.toNanos();
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxBody = maxBody;
        this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory("http-accept", true));
        this.io = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("http-io", true));
    }

    synchronized void start() {
        ServerBootstrap b = new ServerBootstrap().group(boss, io).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Connection c = new Connection();
                        ch.pipeline().addLast("first-byte", c.firstByte)
                                .addLast("codec", new HttpServerCodec(maxHeaderBytes, maxHeaderBytes, 8192))
                                .addLast("connection", c);
                    }
                });
        try {
            server = b.bind(new InetSocketAddress(host, requestedPort)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the HTTP server", e);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("could not bind the HTTP server to " + host + ":" + requestedPort, e);
        }
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Open connections now. */
    int openConnections() {
        return open.get();
    }

    /** Stops accepting and closes every connection (requests under way are dropped after at most ~1 s). */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private enum Phase {
        /** Between requests: waiting for the first byte of the next one (idle timeout). */
        IDLE,
        /** Some bytes of a request head have arrived (header timeout). */
        HEAD,
        /** The head is complete, the body is arriving (body timeout). */
        BODY,
        /** The request is complete and being handled; the connection does not read. */
        HANDLING,
        /** The request was refused before its body ended (413): the rest is read and dropped (body timeout). */
        DISCARD,
        /** An answer that ends the connection is being written. */
        CLOSING
    }

    /** One connection's state; every method runs on the connection's event loop. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        /** Sees raw bytes before the codec: a request head has started. */
        final ChannelInboundHandlerAdapter firstByte = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (phase == Phase.IDLE && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
                    phase = Phase.HEAD;
                    deadline(ctx, headerTimeoutNs);
                }
                ctx.fireChannelRead(msg);
            }
        };

        private ChannelHandlerContext ctx;
        private Phase phase = Phase.IDLE;
        private ScheduledFuture<?> timer;
        private HttpRequest head;
        private ByteArrayOutputStream body;
        private long discarded;
        /** Objects decoded while a request was being handled (pipelining), replayed after its answer. */
        private final ArrayDeque<HttpObject> backlog = new ArrayDeque<>();
        private boolean counted;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            counted = true;
            if (open.incrementAndGet() > maxConnections) {
                ctx.close();
                return;
            }
            deadline(ctx, idleTimeoutNs);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (counted) {
                open.decrementAndGet();
                counted = false;
            }
            cancelTimer();
            phase = Phase.CLOSING;
            backlog.forEach(ReferenceCountUtil::release);
            backlog.clear();
            body = null;
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // connection reset and the like: nothing to answer
        }

        private void deadline(ChannelHandlerContext ctx, long ns) {
            cancelTimer();
            timer = ctx.executor().schedule(this::expired, ns, TimeUnit.NANOSECONDS);
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        private void expired() {
            timer = null;
            switch (phase) {
                case IDLE:
                case DISCARD:
                    ctx.close();
                    break;
                case HEAD:
                case BODY:
                    refuse(408, ErrorMapper.body("request_timeout", phase == Phase.HEAD
                            ? "the request head did not arrive in time" : "the request body did not arrive in time",
                            null), false);
                    break;
                default:
                    break;
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (phase == Phase.HANDLING) {
                backlog.add((HttpObject) msg);
                return;
            }
            read((HttpObject) msg);
        }

        private void read(HttpObject msg) {
            try {
                switch (phase) {
                    case CLOSING:
                        return;
                    case DISCARD:
                        if (msg instanceof HttpContent) {
                            discarded += ((HttpContent) msg).content().readableBytes();
                        }
                        if (msg instanceof LastHttpContent || discarded > 4L * maxBody) {
                            ctx.close();
                        }
                        return;
                    default:
                        break;
                }
                DecoderResult r = msg.decoderResult();
                if (r.isFailure()) {
                    malformed(r.cause());
                    return;
                }
                if (msg instanceof HttpRequest) {
                    head = (HttpRequest) msg;
                    body = null;
                    phase = Phase.BODY;
                    deadline(ctx, bodyTimeoutNs);
                    if (HttpUtil.isContentLengthSet(head) && HttpUtil.getContentLength(head, 0L) > maxBody) {
                        tooLarge();
                        return;
                    }
                    String expect = head.headers().get(HttpHeaderNames.EXPECT);
                    if (expect != null && !(head.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                            && HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect))) {
                        refuse(417, ErrorMapper.body("expectation_failed", "only Expect: 100-continue is supported",
                                "Expect"), true);
                        return;
                    }
                    if (HttpUtil.is100ContinueExpected(head)) {
                        ctx.writeAndFlush(new DefaultFullHttpResponse(head.protocolVersion(),
                                HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
                        head.headers().remove(HttpHeaderNames.EXPECT);
                    }
                }
                if (msg instanceof HttpContent && head != null) {
                    ByteBuf c = ((HttpContent) msg).content();
                    if (c.isReadable()) {
                        if (body == null) {
                            body = new ByteArrayOutputStream(Math.min(c.readableBytes(), 8192));
                        }
                        if (body.size() + c.readableBytes() > maxBody) {
                            tooLarge();
                            if (msg instanceof LastHttpContent) {
                                ctx.close();
                            }
                            return;
                        }
                        c.readBytes(body, c.readableBytes());
                    }
                    if (msg instanceof LastHttpContent) {
                        complete();
                    }
                }
            } catch (java.io.IOException e) {
                ctx.close();
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void malformed(Throwable cause) {
            if (cause instanceof TooLongHttpLineException) {
                refuse(414, ErrorMapper.body("uri_too_long", "the request line is over the limit of "
                        + maxHeaderBytes + " bytes", null), false);
            } else if (cause instanceof TooLongHttpHeaderException) {
                refuse(431, ErrorMapper.body("headers_too_large", "the request headers are over the limit of "
                        + maxHeaderBytes + " bytes", null), false);
            } else {
                String why = cause == null || cause.getMessage() == null ? "unparseable"
                        : RequestParsing.abbreviate(cause.getMessage());
                refuse(400, ErrorMapper.body("bad_request", "malformed HTTP request: " + why, null), false);
            }
        }

        private void tooLarge() {
            refuse(413, ErrorMapper.body("body_too_large", "request body is over the limit of " + maxBody
                    + " bytes", "body"), true);
        }

        /** Answers from the server itself and ends the connection (after reading the rest of a refused body). */
        private void refuse(int status, byte[] json, boolean discardRest) {
            cancelTimer();
            handler.answeredByServer(status);
            HttpVersion version = head == null ? HttpVersion.HTTP_1_1 : head.protocolVersion();
            FullHttpResponse res = response(version, status, JSON, json, null, false, false);
            if (discardRest) {
                phase = Phase.DISCARD;
                discarded = body == null ? 0 : body.size();
                body = null;
                deadline(ctx, bodyTimeoutNs);
                ctx.writeAndFlush(res);
            } else {
                phase = Phase.CLOSING;
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void complete() {
            cancelTimer();
            phase = Phase.HANDLING;
            ctx.channel().config().setAutoRead(false);
            HttpRequest h = head;
            byte[] b = body == null ? new byte[0] : body.toByteArray();
            head = null;
            body = null;
            boolean keepAlive = HttpUtil.isKeepAlive(h);
            boolean isHead = h.method().equals(HttpMethod.HEAD);
            Request request = new Request(h.method().name(), h.uri(), h.headers(), b);
            try {
                workers.execute(() -> {
                    Reply reply = handler.handle(request);
                    ctx.executor().execute(() -> answer(h.protocolVersion(), reply, keepAlive, isHead));
                });
            } catch (RejectedExecutionException e) {
                handler.answeredByServer(503);
                answer(h.protocolVersion(), Reply.json(503, ErrorMapper.body("overloaded",
                        "every request handler is busy and the queue is full; retry later", null)), keepAlive, false);
            }
        }

        private void answer(HttpVersion version, Reply reply, boolean keepAlive, boolean isHead) {
            if (phase != Phase.HANDLING || !ctx.channel().isActive()) {
                return;
            }
            FullHttpResponse res = response(version, reply.status(), reply.contentType(), reply.body(),
                    reply.allow(), keepAlive, isHead);
            if (!keepAlive) {
                phase = Phase.CLOSING;
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.writeAndFlush(res).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    ctx.close();
                    return;
                }
                if (phase != Phase.HANDLING) {
                    return;
                }
                phase = Phase.IDLE;
                deadline(ctx, idleTimeoutNs);
                while (!backlog.isEmpty() && phase != Phase.HANDLING && phase != Phase.CLOSING) {
                    HttpObject next = backlog.poll();
                    if (phase == Phase.IDLE) {
                        phase = Phase.HEAD;
                    }
                    read(next);
                }
                if (phase != Phase.HANDLING && phase != Phase.CLOSING) {
                    ctx.channel().config().setAutoRead(true);
                }
            });
        }
    }

    private static FullHttpResponse response(HttpVersion version, int status, String contentType, byte[] body,
                                             String allow, boolean keepAlive, boolean isHead) {
        FullHttpResponse res = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(status),
                isHead ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        HttpHeaders h = res.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (allow != null) {
            h.set(HttpHeaderNames.ALLOW, allow);
        }
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (version.equals(HttpVersion.HTTP_1_0)) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return res;
    }
}
