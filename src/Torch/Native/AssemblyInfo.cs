// bool is 1 byte and no marshalling code is generated: every P/Invoke here passes blittable values.
[assembly: System.Runtime.CompilerServices.DisableRuntimeMarshalling]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("CrossVideoMAE.Torch.Tests")]
