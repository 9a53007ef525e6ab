using System.Collections.Concurrent;
using Lucent.Net.Modules;
using Lucent.Net.Runtime;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.DependencyInjection.Tests;

/// <summary>A small conv net: conv1 -> relu1 -> conv2 -> relu2 -> pool -> fc. Children run through call() so hooks fire.</summary>
public sealed class SmallNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly ReLU relu1;
    private readonly Conv2d conv2;
    private readonly ReLU relu2;
    private readonly AdaptiveAvgPool2d pool;
    private readonly Linear fc;

    public SmallNet(long seed = 1)
        : base(nameof(SmallNet))
    {
        LucentRuntime.EnsureInitialized();
        conv1 = nn.Conv2d(3, 8, 3, padding: 1);
        relu1 = nn.ReLU();
        conv2 = nn.Conv2d(8, 16, 3, stride: 2, padding: 1);
        relu2 = nn.ReLU();
        pool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Linear(16, 10);
        RegisterComponents();
        SeededInitialization.Reinitialize(this, seed); // reproducible without the global generator
    }

    public override Tensor forward(Tensor input)
    {
        var x = relu1.call(conv1.call(input));
        x = relu2.call(conv2.call(x));
        return fc.call(pool.call(x).flatten(1));
    }
}

/// <summary>Captures log entries.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
