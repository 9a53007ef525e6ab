namespace Lucent.Net.Parameterization;

/// <summary>Argument checks with messages that say what was wrong and how to fix it.</summary>
internal static class ParameterizationGuard
{
    public static void Positive(int value, string parameterName, string what)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"The {what} must be at least 1, got {value}.");
        }
    }

    public static void StandardDeviation(double value, string parameterName)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"The standard deviation of the initial values must be a positive finite number (Lucent's default is 0.01), got {value}.");
        }
    }

    public static void Shape(ImageShape shape, string parameterName)
    {
        if (shape.Batch < 1 || shape.Channels < 1 || shape.Height < 1 || shape.Width < 1)
        {
            throw new ArgumentOutOfRangeException(parameterName, shape, $"Every dimension of the image shape must be at least 1; got batch {shape.Batch}, channels {shape.Channels}, height {shape.Height}, width {shape.Width}.");
        }
    }
}
