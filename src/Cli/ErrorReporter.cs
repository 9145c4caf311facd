// Copyright (c) Allocators contributors. MIT License.

using System;
using System.IO;
using Microsoft.Extensions.Options;

namespace Allocators.Cli;

/// <summary>Turns an exception into the tool's error output: one clear line (validation failures one per line).</summary>
internal static class ErrorReporter
{
    /// <summary>The exit code of any error.</summary>
    public const int ErrorExitCode = 1;

    /// <summary>Writes the error and returns <see cref="ErrorExitCode"/>.</summary>
    public static int Report(TextWriter error, Exception exception, bool verbose)
    {
        var ex = Unwrap(exception);
        switch (ex)
        {
            case OptionsValidationException validation:
                error.WriteLine($"error: invalid options ({validation.OptionsType.Name}):");
                foreach (string failure in validation.Failures)
                {
                    error.WriteLine("  " + failure);
                }

                break;
            case FileNotFoundException notFound:
                error.WriteLine($"error: file not found: {notFound.FileName ?? notFound.Message}");
                break;
            case DirectoryNotFoundException directory:
                error.WriteLine($"error: directory not found: {FirstLine(directory.Message)}");
                break;
            case ArgumentException argument when argument.ParamName is not null:
                error.WriteLine("error: " + FirstLine(argument.Message.Replace($" (Parameter '{argument.ParamName}')", string.Empty, StringComparison.Ordinal)));
                break;
            default:
                error.WriteLine("error: " + FirstLine(ex.Message));
                break;
        }

        if (verbose)
        {
            error.WriteLine(exception.ToString());
        }

        return ErrorExitCode;
    }

    private static Exception Unwrap(Exception exception)
    {
        var ex = exception;
        while (ex is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
