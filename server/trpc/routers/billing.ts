import { billingHistory, checkoutStatus, createCheckout, createPortal, listPlans } from '../../domain/billing/stripe-billing';
import { permissionProcedure, router } from '../trpc';
import { checkoutStatusInput, createCheckoutInput } from '../../contract/billing';

const billing = permissionProcedure('billing.manage');

export const billingRouter = router({
  plans: billing.query(({ ctx }) => listPlans({ stripe: ctx.stripe, env: ctx.env })),
  createCheckout: billing.input(createCheckoutInput).mutation(({ ctx, input }) => createCheckout({ scope: ctx.scope, stripe: ctx.stripe, env: ctx.env, input })),
  portal: billing.mutation(({ ctx }) => createPortal({ scope: ctx.scope, stripe: ctx.stripe, env: ctx.env })),
  history: billing.query(({ ctx }) => billingHistory(ctx.trx)),
  checkoutStatus: billing.input(checkoutStatusInput).query(({ ctx, input }) => checkoutStatus(ctx.trx, input.sessionId)),
});
