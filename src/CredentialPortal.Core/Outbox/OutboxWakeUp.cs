using System.Data.Common;
using System.Runtime.CompilerServices;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CredentialPortal.Core.Outbox;

/// <summary>
/// Wakes this instance's <see cref="OutboxSender"/> as soon as a queued message (email or webhook) is committed, so
/// delivery normally starts within milliseconds instead of at the next poll. Registered as an EF interceptor on every context: it notes a context
/// that saves new outbox rows and signals once they are committed — after SaveChanges when no explicit transaction is
/// open, else when that transaction commits (a wake-up before the commit would find nothing to send).
/// </summary>
public sealed class OutboxWakeUp : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> _pending = [];
    private TaskCompletionSource _signal = NewSignal();

    /// <summary>Completes at the next <see cref="Notify"/> after the last <see cref="Reset"/>.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => Volatile.Read(ref _signal).Task.WaitAsync(cancellationToken);

    public void Notify() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>Called by the sender as a pass starts: what is committed from now on wakes it again.</summary>
    public void Reset()
    {
        var current = Volatile.Read(ref _signal);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _signal, NewSignal(), current);
        }
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context, inTransaction: eventData.Context?.Database.CurrentTransaction is not null);
        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Committed(eventData.Context, inTransaction: eventData.Context?.Database.CurrentTransaction is not null);
        return base.SavedChanges(eventData, result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context, inTransaction: false);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Committed(eventData.Context, inTransaction: false);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    private void Note(DbContext? context)
    {
        if (context is CredentialPortalDbContext db
            && db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
        {
            _pending.AddOrUpdate(db, this);
        }
    }

    private void Committed(DbContext? context, bool inTransaction)
    {
        if (context is not null && !inTransaction && _pending.Remove(context))
        {
            Notify();
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
