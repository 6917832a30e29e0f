import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { useState } from 'react';
import { z } from 'zod';
import { getFormProps, useForm } from '@conform-to/react';
import { Field, FormAlert } from '~/components/field';
import { SeatCard } from '~/components/seat-card';
import { SeatHistory } from '~/components/seat-history-chart';
import { Time } from '~/components/time';
import { Select } from '~/components/select';
import { lastDays } from '~/utils/dates';
import { useFormat } from '~/utils/format';
import { attempt } from '~/utils/errors';
import { blankAsAbsent, parseForm, refusal } from '~/utils/forms';
import { OverLimitBanner } from '~/components/over-limit-banner';
import { createCheckoutInput, returnToSchema, stripeEventWords } from '../../server/contract/billing';
import { isReturnPath } from '../../server/contract/fields';
import { SEAT_LABELS, SEAT_TYPES, seatCount, seatWord, type SeatType } from '../../server/contract/seats';
import { TableScroll } from '~/components/table-scroll';

export const meta: MetaFunction = () => [{ title: 'Billing · Seatwise' }];

/** SPEC "Seat history": used against purchased over the last 90 days, as on the dashboard. */
const HISTORY_DAYS = 90;

/** Issue #18: a same-site path to come back to after Checkout, or none (a crafted address is ignored). */
const returnPathOf = (value: string | null) => (value && isReturnPath(value) && value.length <= 500 ? value : null);

/** `returnTo` with the seats just added, for its page to say so. */
function backWithSeats(returnTo: string, seatType: SeatType, quantity: number) {
  const back = new URL(returnTo, 'http://seatwise.invalid');
  back.searchParams.set('seatsAdded', String(quantity));
  back.searchParams.set('seatType', seatType);
  return `${back.pathname}${back.search}${back.hash}`;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const sessionId = params.get('session_id');
  const returnTo = returnPathOf(params.get('returnTo'));
  const [plans, seats, seatHistory, history, checkout] = await Promise.all([
    context.trpc.billing.plans(),
    context.trpc.seats.summary(),
    context.trpc.seats.history(lastDays(HISTORY_DAYS)),
    context.trpc.billing.history(),
    params.get('checkout') === 'success' && sessionId ? context.trpc.billing.checkoutStatus({ sessionId }) : null,
  ]);
  // Paid from a seat refusal: once the seats are live, back to the page that needed them.
  if (checkout?.status === 'confirmed' && returnTo) throw redirect(backWithSeats(returnTo, checkout.seatType, checkout.quantity));
  const seatType = SEAT_TYPES.find((t) => t === params.get('seatType'));
  const quantity = params.get('quantity');
  const prefill = { seatType, quantity: quantity && /^[1-9][0-9]{0,3}$/.test(quantity) ? quantity : undefined, returnTo };
  return json({ plans, seats, seatHistory, history, checkout, prefill, canceled: params.get('checkout') === 'canceled', testMode: context.env.stripeEmulated });
}

const checkoutForm = createCheckoutInput.extend({ intent: z.literal('checkout'), returnTo: blankAsAbsent(returnToSchema) });
const portalForm = z.object({ intent: z.literal('portal') });
// Each button names its action; anything else (a tampered or broken intent) buys nothing.
const billingForm = z.discriminatedUnion('intent', [checkoutForm, portalForm]);

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), billingForm);
  if (submission.status !== 'success') return json({ result: submission.reply() }, { status: 400 });
  const form = submission.value;
  const result = await attempt(context, () =>
    form.intent === 'portal' ? context.trpc.billing.portal() : context.trpc.billing.createCheckout({ seatType: form.seatType, quantity: form.quantity, returnTo: form.returnTo }),
  );
  if (!result.ok) return json({ result: refusal(submission, result.errors) }, { status: result.status });
  return redirect(result.value.url);
}

/** A seat type's name as the reference documentation spells it; a row of an unknown type says so. */
function seatLabel(type: unknown) {
  const known = SEAT_TYPES.find((t) => t === type);
  return known ? SEAT_LABELS[known] : 'unknown';
}

export default function Billing() {
  const { plans, seats, seatHistory, history, checkout, prefill, canceled, testMode } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const format = useFormat();
  const money = format.money;
  const [form, fields] = useForm({
    id: 'buy-seats',
    lastResult: data?.result,
    shouldValidate: 'onBlur',
    // The portal button has a form of its own: this one only ever checks out.
    onValidate: ({ formData }) => parseForm(formData, createCheckoutInput),
  });
  const [seatType, setSeatType] = useState(prefill.seatType ?? plans[0]?.seatType ?? 'standard');
  const [quantity, setQuantity] = useState(prefill.quantity ?? '5');
  const plan = plans.find((p) => p.seatType === seatType) ?? plans[0];
  const total = plan && Number.isInteger(Number(quantity)) ? money(plan.unitAmount * Number(quantity), plan.currency) : '—';
  return (
    <>
      {/* While the payment is confirmed the page refreshes itself, with or without JavaScript. */}
      {checkout?.status === 'pending' ? <meta httpEquiv="refresh" content="2" /> : null}
      <h1>Billing</h1>
      {testMode ? <p className="banner">Test mode: no real payments. Checkout and the billing portal are Seatwise’s Stripe emulator.</p> : null}
      {checkout?.status === 'pending' ? (
        <p className="notice" role="status">
          Payment received. Confirming your payment with Stripe… your new seats appear here in a few seconds.
        </p>
      ) : null}
      {checkout?.status === 'confirmed' ? (
        <p className="notice" role="status">
          {seatCount(checkout.quantity, checkout.seatType, format.number(checkout.quantity))} {checkout.quantity === 1 ? 'is' : 'are'} now active. You can add users at once.
        </p>
      ) : null}
      {canceled ? <p className="muted">Checkout was canceled; nothing was charged.</p> : null}
      <OverLimitBanner seats={seats} />
      <section className="cards" aria-label="Seats">
        {SEAT_TYPES.map((type) => (
          <SeatCard key={type} label={SEAT_LABELS[type]} pool={seats[type]} />
        ))}
      </section>
      <SeatHistory series={seatHistory} days={HISTORY_DAYS} />
      <div className="row" style={{ marginTop: '1.5rem', alignItems: 'start' }}>
        <Form method="post" className="stack panel" {...getFormProps(form)}>
          <h2>Buy seats</h2>
          <FormAlert message={form.errors} />
          <Select
            label="Seat type"
            meta={fields.seatType}
            value={seatType}
            onChange={(e) => setSeatType(e.target.value as typeof seatType)}
            options={plans.map((p) => ({ value: p.seatType, label: `${p.label} — ${money(p.unitAmount, p.currency)} per ${p.interval}` }))}
            
          />
          <Field label="Quantity" meta={fields.quantity} type="number" min={1} max={1000} value={quantity} onChange={(e) => setQuantity(e.target.value)} />
          {prefill.returnTo ? (
            <>
              <input type="hidden" name="returnTo" value={prefill.returnTo} />
              <p className="muted">Once paid, you go back to the page you came from.</p>
            </>
          ) : null}
          <p>
            Total: <strong>{total}</strong> per {plan?.interval ?? 'month'}
          </p>
          <button type="submit" name="intent" value="checkout">
            Continue to checkout
          </button>
        </Form>
        <Form method="post" className="stack panel">
          <h2>Subscriptions</h2>
          {history.subscriptions.length ? (
            <ul>
              {history.subscriptions.map((s) => (
                <li key={s.id}>
                  {format.number(s.quantity)} × {seatLabel(s.seatType)} {seatWord(s.quantity)}, {s.status}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No subscriptions yet: your workspace uses its included seats.</p>
          )}
          <button type="submit" name="intent" value="portal" className="secondary">
            Manage billing in Stripe
          </button>
        </Form>
      </div>
      <h2 style={{ marginTop: '1.5rem' }}>Changes to purchased seats</h2>
      <TableScroll label="Changes to purchased seats">
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>Seat type</th>
              <th>Purchased</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {history.ledger.map((l) => (
              <tr key={l.id}>
                <td>
                  <Time at={l.createdAt} />
                </td>
                <td>{seatLabel(l.seatType)}</td>
                <td>
                  {format.number(l.purchasedBefore)} → {format.number(l.purchasedAfter)}
                </td>
                <td>{stripeEventWords(l.reason)}</td>
              </tr>
            ))}
            {history.ledger.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  No changes yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
