// A Generic Host app: Lucent's services and defaults from appsettings.json ("Lucent" section), the
// objective expression and pipeline from the "Render" section, console logging, and Ctrl+C handled
// by the host (the render stops at the next step and the images so far are saved).
using HostedRenderingSample;
using Lucent.Net.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// appsettings.json is copied next to the executable, so that is the content root whatever the working folder.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services
    .AddLucent(builder.Configuration.GetSection("Lucent"))
    .AddModel("tiny", _ => new TinyConvNet(seed: 0, width: 16), "A tiny conv net with RANDOM weights (seed 0): Lucent.Net.Testing's TinyConvNet.")
    .AddObjective("center", ["layer", "n_channel"], a => CenterObjective.Create(a.GetLayer("layer"), a.GetInt32("n_channel")),
        "Minus the activation of one channel at the centre of the layer (a plugin).");
builder.Services.Configure<RenderSettings>(builder.Configuration.GetSection("Render"));
builder.Services.AddHostedService<RenderWorker>();

await builder.Build().RunAsync();
