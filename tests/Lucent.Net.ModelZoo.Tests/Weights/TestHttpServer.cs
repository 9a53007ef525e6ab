using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lucent.Net.ModelZoo.Tests.Weights;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 built on TcpListener, so tests control every byte: a normal
/// response, 404, a connection dropped mid-body, a server that stalls, and a slow trickle.
/// </summary>
internal sealed class TestHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task acceptLoop;
    private readonly ConcurrentBag<Task> connections = [];
    private int requestCount;
    private long endlessBytesSent;

    public TestHttpServer(byte[] body)
    {
        Body = body;
        listener.Start();
        acceptLoop = AcceptAsync();
    }

    /// <summary>The bytes served by /ok, /drop, /stall, /slow, /nolength and /huge-length.</summary>
    public byte[] Body { get; set; }

    public int RequestCount => Volatile.Read(ref requestCount);

    /// <summary>Bytes the /endless route has written so far.</summary>
    public long EndlessBytesSent => Interlocked.Read(ref endlessBytesSent);

    public Uri Url(string path) => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}{path}");

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            connections.Add(Task.Run(() => ServeAsync(client)));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                string path = await ReadRequestPathAsync(stream);
                Interlocked.Increment(ref requestCount);
                byte[] body = Body;
                switch (path)
                {
                    case "/ok":
                        await WriteHeadAsync(stream, "200 OK", body.Length);
                        // Several writes so that the client sees several reads.
                        for (int i = 0; i < body.Length; i += 1024)
                        {
                            await stream.WriteAsync(body.AsMemory(i, Math.Min(1024, body.Length - i)), stop.Token);
                            await stream.FlushAsync(stop.Token);
                        }

                        break;
                    case "/nolength":
                        await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"), stop.Token);
                        await stream.WriteAsync(body, stop.Token);
                        break;
                    case "/drop":
                        await WriteHeadAsync(stream, "200 OK", body.Length);
                        await stream.WriteAsync(body.AsMemory(0, body.Length / 2), stop.Token);
                        await stream.FlushAsync(stop.Token);
                        client.Client.Shutdown(SocketShutdown.Both);
                        break;
                    case "/stall":
                        await WriteHeadAsync(stream, "200 OK", body.Length);
                        await stream.WriteAsync(body.AsMemory(0, body.Length / 3), stop.Token);
                        await stream.FlushAsync(stop.Token);
                        await Task.Delay(Timeout.Infinite, stop.Token);
                        break;
                    case "/endless":
                        // No Content-Length, and a body that never ends: only the client can stop it.
                        await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"), stop.Token);
                        var zeros = new byte[64 << 10];
                        while (true)
                        {
                            await stream.WriteAsync(zeros, stop.Token);
                            Interlocked.Add(ref endlessBytesSent, zeros.Length);
                        }

                    case "/huge-length":
                        // Announces a terabyte.
                        await WriteHeadAsync(stream, "200 OK", 1L << 40);
                        await stream.WriteAsync(body, stop.Token);
                        break;
                    case "/stall-headers":
                        await Task.Delay(Timeout.Infinite, stop.Token);
                        break;
                    case "/slow":
                        await WriteHeadAsync(stream, "200 OK", body.Length);
                        foreach (byte b in body)
                        {
                            await stream.WriteAsync(new[] { b }, stop.Token);
                            await stream.FlushAsync(stop.Token);
                            await Task.Delay(50, stop.Token);
                        }

                        break;
                    default:
                        byte[] text = Encoding.ASCII.GetBytes("not found");
                        await WriteHeadAsync(stream, "404 Not Found", text.Length);
                        await stream.WriteAsync(text, stop.Token);
                        break;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the server is stopping.
            }
        }
    }

    private async Task WriteHeadAsync(NetworkStream stream, string status, long length)
    {
        string head = $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), stop.Token);
    }

    private async Task<string> ReadRequestPathAsync(NetworkStream stream)
    {
        var request = new StringBuilder();
        var buffer = new byte[1024];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer, stop.Token);
            if (read == 0)
            {
                break;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        string[] firstLine = request.ToString().Split("\r\n")[0].Split(' ');
        return firstLine.Length >= 2 ? firstLine[1] : "/";
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await acceptLoop;
        await Task.WhenAll(connections);
        stop.Dispose();
    }
}
